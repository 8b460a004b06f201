// A small evaluator of IAM policy documents, enough to judge kfstack's own:
// Allow / Deny statements, Action and Resource with * wildcards, and the
// StringEquals, StringLike and Bool condition operators. An explicit Deny wins;
// a request no statement allows is denied. Tests ask it what a policy permits
// instead of matching the policy's text.

export interface IamRequest {
    action: string;
    resource: string;
    /** Condition keys of the request, e.g. { "s3:prefix": "artifacts/vision/" }. */
    context?: Record<string, string>;
}

interface Statement {
    Effect: "Allow" | "Deny";
    Action: string | string[];
    /** Absent in a trust policy, whose resource is the role itself. */
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function glob(pattern: string, value: string): boolean {
    const regex = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
    );
    return regex.test(value);
}

function conditionHolds(operator: string, key: string, expected: string[], context: Record<string, string>): boolean {
    const actual = context[key];
    if (actual === undefined) return false;
    switch (operator) {
        case "StringEquals":
        case "Bool":
            return expected.includes(actual);
        case "StringLike":
            return expected.some((pattern) => glob(pattern, actual));
        default:
            throw new Error(`the test evaluator does not know condition operator ${operator}`);
    }
}

function matches(statement: Statement, request: IamRequest): boolean {
    if (!list(statement.Action).some((action) => glob(action, request.action))) return false;
    if (statement.Resource !== undefined && !list(statement.Resource).some((resource) => glob(resource, request.resource))) return false;
    return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
        Object.entries(keys).every(([key, expected]) => conditionHolds(operator, key, list(expected), request.context ?? {})),
    );
}

/** Whether the policy (a JSON document) allows the request. */
export function allows(policy: string, request: IamRequest): boolean {
    const statements = (JSON.parse(policy) as { Statement: Statement[] }).Statement;
    const applicable = statements.filter((statement) => matches(statement, request));
    return applicable.some((statement) => statement.Effect === "Allow") && !applicable.some((statement) => statement.Effect === "Deny");
}

/** Whether the policy explicitly denies the request. */
export function denies(policy: string, request: IamRequest): boolean {
    return (JSON.parse(policy) as { Statement: Statement[] }).Statement.some((statement) => statement.Effect === "Deny" && matches(statement, request));
}
