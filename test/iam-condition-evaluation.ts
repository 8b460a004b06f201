// A small evaluator of Google IAM condition expressions, enough to judge
// kfstack's own: a disjunction (||) of `resource.name.startsWith("…")` and
// `api.getAttribute("<name>", "<default>").startsWith("…")`. Anything else is
// refused rather than guessed at. Tests ask it whether a request would be
// granted instead of matching the expression's text.

export interface GoogleRequest {
    /** The resource the permission is checked on: projects/_/buckets/<b>/objects/<name>, or projects/_/buckets/<b> for a listing. */
    resourceName: string;
    /** Request attributes, e.g. { "storage.googleapis.com/objectListPrefix": "artifacts/vision/" } on objects.list. */
    attributes?: Record<string, string>;
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const RESOURCE_NAME = new RegExp(String.raw`^resource\.name\.startsWith\((${STRING})\)$`);
const ATTRIBUTE = new RegExp(String.raw`^api\.getAttribute\((${STRING}),\s*(${STRING})\)\.startsWith\((${STRING})\)$`);

/** The expression's terms, split at each `||` outside a string literal. */
function disjuncts(expression: string): string[] {
    const terms: string[] = [];
    let current = "";
    let quoted = false;
    for (let index = 0; index < expression.length; index++) {
        const char = expression[index]!;
        if (quoted && char === "\\") {
            current += char + expression[++index]!;
            continue;
        }
        if (char === '"') quoted = !quoted;
        if (!quoted && expression.startsWith("||", index)) {
            terms.push(current.trim());
            current = "";
            index++;
            continue;
        }
        current += char;
    }
    return [...terms, current.trim()];
}

function term(text: string, request: GoogleRequest): boolean {
    const name = RESOURCE_NAME.exec(text);
    if (name) return request.resourceName.startsWith(JSON.parse(name[1]!) as string);
    const attribute = ATTRIBUTE.exec(text);
    if (attribute) {
        const [key, fallback, prefix] = [attribute[1]!, attribute[2]!, attribute[3]!].map((literal) => JSON.parse(literal) as string) as [
            string,
            string,
            string,
        ];
        return (request.attributes?.[key] ?? fallback).startsWith(prefix);
    }
    throw new Error(`the test evaluator does not know the condition term ${text}`);
}

/** Whether a binding with this condition applies to the request. */
export function conditionHolds(expression: string, request: GoogleRequest): boolean {
    return disjuncts(expression).some((text) => term(text, request));
}
