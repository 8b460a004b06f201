// IAM policy documents as AWS IAM (and MinIO, for its S3 subset) evaluate
// them, for the requests kfstack cares about: an explicit Deny wins, then any
// Allow, else denied. Action and Resource match with IAM's wildcards (`*` any
// run, `?` one character, case-insensitive actions); a trust policy's
// statements name no Resource. Conditions: StringEquals, StringLike and Bool
// on the request's context keys (case-insensitive, as IAM's are), such as
// s3:prefix, which confines ListBucket, aws:SecureTransport, kms:ViaService,
// or an OIDC provider's `sub`. The program writes these documents (the MinIO
// tenant policies, the IRSA roles, the bucket policy); the audit and the tests
// read them back through this one reading.
import { isRecord } from "./records";

export interface IamPolicyStatement {
    Effect: "Allow" | "Deny";
    Action: string | string[];
    /** Absent in a trust policy, whose resource is the role itself. */
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface IamPolicyDocument {
    Version: string;
    Statement: IamPolicyStatement[];
}

/** One request: `s3:GetObject` on `arn:aws:s3:::bucket/key`, or `s3:ListBucket` on the bucket with context { "s3:prefix": … }. */
export interface IamRequest {
    action: string;
    resource: string;
    /** The request's condition keys and values. */
    context?: Readonly<Record<string, string>>;
}

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's wildcard match: `*` any run of characters (including `/`), `?` exactly one. */
export function wildcardMatches(pattern: string, value: string, caseInsensitive = false): boolean {
    const escaped = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`, caseInsensitive ? "is" : "s").test(value);
}

/**
 * The condition operators kfstack's documents use. A statement with any other does not apply: an Allow that cannot be
 * read grants nothing (a Deny that cannot be read is not counted either; kfstack writes none).
 */
const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
    StringLike: (pattern, value) => wildcardMatches(pattern, value),
    StringEquals: (pattern, value) => pattern === value,
    Bool: (pattern, value) => pattern.toLowerCase() === value.toLowerCase(),
};

function contextValue(request: IamRequest, key: string): string | undefined {
    const found = Object.entries(request.context ?? {}).find(([name]) => name.toLowerCase() === key.toLowerCase());
    return found?.[1];
}

/** Every operator's every key holds for the request; a key the request lacks holds for no pattern. */
function conditionHolds(condition: IamPolicyStatement["Condition"], request: IamRequest): boolean {
    if (!condition) return true;
    return Object.entries(condition).every(([operator, keys]) => {
        const test = OPERATORS[operator];
        if (!test) return false;
        return Object.entries(keys).every(([key, patterns]) => {
            const value = contextValue(request, key);
            return value !== undefined && asList(patterns).some((pattern) => test(pattern, value));
        });
    });
}

function statementApplies(statement: IamPolicyStatement, request: IamRequest): boolean {
    return (
        asList(statement.Action).some((action) => wildcardMatches(action, request.action, true)) &&
        (statement.Resource === undefined || asList(statement.Resource).some((resource) => wildcardMatches(resource, request.resource))) &&
        conditionHolds(statement.Condition, request)
    );
}

/** Whether the policy lets its holder make the request. */
export function policyAllows(policy: IamPolicyDocument, request: IamRequest): boolean {
    const applying = policy.Statement.filter((statement) => statementApplies(statement, request));
    return !applying.some((statement) => statement.Effect === "Deny") && applying.some((statement) => statement.Effect === "Allow");
}

/** Whether a Deny of the policy refuses the request, whatever else allows it (a bucket policy's TLS rule). */
export function policyDenies(policy: IamPolicyDocument, request: IamRequest): boolean {
    return policy.Statement.some((statement) => statement.Effect === "Deny" && statementApplies(statement, request));
}

/** A policy document from its JSON text, or undefined when it is not one. */
export function parseIamPolicy(text: string): IamPolicyDocument | undefined {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return undefined;
    }
    if (!isRecord(value) || !Array.isArray(value["Statement"])) return undefined;
    return value as unknown as IamPolicyDocument;
}

/** What a holder could do to objects under a prefix: read, write, delete, or list them. */
export const PREFIX_REQUESTS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"] as const;

/** The requests of PREFIX_REQUESTS the policy allows on an object `key` (under its prefix) of `bucket`, listing with `prefix`. */
export function allowedUnder(policy: IamPolicyDocument, bucket: string, prefix: string, key: string): string[] {
    return PREFIX_REQUESTS.filter((action) =>
        policyAllows(
            policy,
            action === "s3:ListBucket"
                ? { action, resource: `arn:aws:s3:::${bucket}`, context: { "s3:prefix": prefix } }
                : { action, resource: `arn:aws:s3:::${bucket}/${prefix}${key}` },
        ),
    );
}
