// S3 identity policies as AWS IAM and MinIO evaluate them, for the requests
// kfstack cares about: an explicit Deny wins, then any Allow, else denied.
// Action and Resource match with IAM's wildcards (`*` any run, `?` one
// character, case-insensitive actions), and the StringLike / StringEquals
// conditions on s3:prefix that confine ListBucket. The program writes these
// documents; the audit and the tests read them back through this one reading.
import { isRecord } from "./records";

export interface S3PolicyStatement {
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

export interface S3PolicyDocument {
    Version: string;
    Statement: S3PolicyStatement[];
}

/** One request: `s3:GetObject` on `arn:aws:s3:::bucket/key`, or `s3:ListBucket` on the bucket with `prefix`. */
export interface S3Request {
    action: string;
    resource: string;
    /** The s3:prefix condition key of a ListBucket request; absent for object requests. */
    prefix?: string;
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

/** Condition operators kfstack's documents use; any other makes the statement not apply (fails closed for Allow). */
const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
    StringLike: (pattern, value) => wildcardMatches(pattern, value),
    StringEquals: (pattern, value) => pattern === value,
};

function conditionHolds(condition: S3PolicyStatement["Condition"], request: S3Request): boolean {
    if (!condition) return true;
    return Object.entries(condition).every(([operator, keys]) => {
        const test = OPERATORS[operator];
        if (!test) return false;
        return Object.entries(keys).every(([key, patterns]) => {
            if (key.toLowerCase() !== "s3:prefix" || request.prefix === undefined) return false;
            return asList(patterns).some((pattern) => test(pattern, request.prefix!));
        });
    });
}

function statementApplies(statement: S3PolicyStatement, request: S3Request): boolean {
    return (
        asList(statement.Action).some((action) => wildcardMatches(action, request.action, true)) &&
        asList(statement.Resource).some((resource) => wildcardMatches(resource, request.resource)) &&
        conditionHolds(statement.Condition, request)
    );
}

/** Whether the policy lets its holder make the request. */
export function s3PolicyAllows(policy: S3PolicyDocument, request: S3Request): boolean {
    const applying = policy.Statement.filter((statement) => statementApplies(statement, request));
    return !applying.some((statement) => statement.Effect === "Deny") && applying.some((statement) => statement.Effect === "Allow");
}

/** A policy document from its JSON text, or undefined when it is not one. */
export function parseS3Policy(text: string): S3PolicyDocument | undefined {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return undefined;
    }
    if (!isRecord(value) || !Array.isArray(value["Statement"])) return undefined;
    return value as unknown as S3PolicyDocument;
}

/** What a holder could do to objects under a prefix: read, write, delete, or list them. */
export const PREFIX_REQUESTS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"] as const;

/** The requests of PREFIX_REQUESTS the policy allows on an object `key` (under its prefix) of `bucket`, listing with `prefix`. */
export function allowedUnder(policy: S3PolicyDocument, bucket: string, prefix: string, key: string): string[] {
    return PREFIX_REQUESTS.filter((action) =>
        s3PolicyAllows(
            policy,
            action === "s3:ListBucket"
                ? { action, resource: `arn:aws:s3:::${bucket}`, prefix }
                : { action, resource: `arn:aws:s3:::${bucket}/${prefix}${key}` },
        ),
    );
}
