// Kubernetes label selectors (metav1.LabelSelector), evaluated as the API
// server does. See "Labels and Selectors" in the Kubernetes docs
// (concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements)
// and metav1.LabelSelectorAsSelector: matchLabels and every matchExpression
// must all hold; `NotIn` and `DoesNotExist` hold for objects lacking the key;
// an empty selector ({}) matches everything.

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
    key: string;
    operator: string;
    values?: string[] | null;
}

export interface LabelSelector {
    matchLabels?: Record<string, string> | null;
    matchExpressions?: LabelSelectorRequirement[] | null;
}

export interface CompiledSelector {
    /** True when the selector has no requirement at all, so it matches every set of labels. */
    readonly empty: boolean;
    matches(labels: Labels | undefined): boolean;
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

/**
 * Compiles a selector once, checking it as the API server validates one.
 * `undefined`/`null` compile to the empty selector: that is how admission webhooks
 * default an absent `namespaceSelector`/`objectSelector`. (A null selector on a
 * Deployment or NetworkPolicy means something else; callers handle those.)
 * `where` names the selector in errors, e.g. `namespaceSelector of webhook x`.
 */
export function compileLabelSelector(selector: LabelSelector | null | undefined, where: string): CompiledSelector {
    const requirements: ((labels: Labels) => boolean)[] = [];
    for (const [key, value] of Object.entries(selector?.matchLabels ?? {})) {
        const wanted = String(value);
        requirements.push((labels) => Object.hasOwn(labels, key) && String(labels[key]) === wanted);
    }
    for (const [index, expression] of (selector?.matchExpressions ?? []).entries()) {
        requirements.push(compileRequirement(expression, `${where}, matchExpressions[${index}]`));
    }
    return {
        empty: requirements.length === 0,
        matches: (labels) => requirements.every((requirement) => requirement(labels ?? {})),
    };
}

function compileRequirement({ key, operator, values }: LabelSelectorRequirement, where: string): (labels: Labels) => boolean {
    const list = (values ?? []).map(String);
    if (!OPERATORS.includes(operator)) {
        throw new Error(`Invalid label selector: ${where} has operator ${JSON.stringify(operator)}; use one of ${OPERATORS.join(", ")}.`);
    }
    if ((operator === "In" || operator === "NotIn") && list.length === 0) {
        throw new Error(`Invalid label selector: ${where} (key ${JSON.stringify(key)}) uses ${operator} with no values; the API server requires at least one.`);
    }
    if ((operator === "Exists" || operator === "DoesNotExist") && list.length > 0) {
        throw new Error(
            `Invalid label selector: ${where} (key ${JSON.stringify(key)}) uses ${operator} with values ${JSON.stringify(list)}; it must have none.`,
        );
    }
    const has = (labels: Labels) => Object.hasOwn(labels, key);
    switch (operator) {
        case "In":
            return (labels) => has(labels) && list.includes(String(labels[key]));
        case "NotIn":
            return (labels) => !has(labels) || !list.includes(String(labels[key]));
        case "Exists":
            return has;
        default:
            return (labels) => !has(labels);
    }
}

/** Whether `labels` carry every key of `matchLabels` with its value: a selector's matchLabels alone (Istio's selectors, Service selectors). */
export function matchesLabels(matchLabels: Readonly<Record<string, unknown>>, labels: Labels | undefined): boolean {
    return Object.entries(matchLabels).every(([key, value]) => labels?.[key] === value);
}
