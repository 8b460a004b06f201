// Google IAM conditions are CEL: the tests evaluate kfstack's with a real CEL
// implementation (@bufbuild/cel), with the attributes Cloud Storage gives a
// request (`resource.name`, and `api.getAttribute(name, default)` for request
// attributes such as a listing's prefix), instead of matching the text.
import { CelScalar, celMethod, isCelError, mapType, run } from "@bufbuild/cel";

export interface GoogleRequest {
    /** The resource the permission is checked on: projects/_/buckets/<b>/objects/<name>, or projects/_/buckets/<b> for a listing. */
    resourceName: string;
    /** Request attributes, e.g. { "storage.googleapis.com/objectListPrefix": "artifacts/vision/" } on objects.list. */
    attributes?: Record<string, string>;
}

/** Whether a binding with this condition applies to the request; throws when the expression does not evaluate to a boolean. */
export function conditionHolds(expression: string, request: GoogleRequest): boolean {
    const attributes = request.attributes ?? {};
    const getAttribute = celMethod(
        "getAttribute",
        mapType(CelScalar.STRING, CelScalar.STRING),
        [CelScalar.STRING, CelScalar.STRING],
        CelScalar.STRING,
        (name, fallback) => attributes[name] ?? fallback,
    );
    const result = run(expression, { resource: { name: request.resourceName }, api: new Map<string, string>() }, { funcs: [getAttribute] });
    if (isCelError(result) || typeof result !== "boolean")
        throw new Error(`The condition ${expression} does not evaluate to a boolean: ${isCelError(result) ? result.message : typeof result}`);
    return result;
}
