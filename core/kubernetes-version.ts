// Kubernetes versions as kfstack compares them: by major, then minor ("1.33",
// "1.33.5" and "v1.33" are the same minor). The program, the BOM's windows and
// the policy pack all compare through here.

export interface KubernetesMinor {
    major: number;
    minor: number;
}

/** Major and minor of "1.33", "1.33.5" or "v1.33"; undefined when `version` is not a version. */
export function parseKubernetesVersion(version: unknown): KubernetesMinor | undefined {
    const match = typeof version === "string" ? /^v?([0-9]+)\.([0-9]+)(\.[0-9]+)?$/.exec(version.trim()) : null;
    return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/** Negative, zero or positive as minor `a` is older than, the same as or newer than `b`. */
export function compareKubernetesMinors(a: KubernetesMinor, b: KubernetesMinor): number {
    return a.major - b.major || a.minor - b.minor;
}

/** Compares two versions by minor; both must be versions (validated configuration, a BOM, a constant). */
export function compareKubernetesVersions(a: string, b: string): number {
    const [left, right] = [parseKubernetesVersion(a), parseKubernetesVersion(b)];
    if (!left || !right) throw new Error(`Cannot compare Kubernetes versions ${JSON.stringify(a)} and ${JSON.stringify(b)}: both must look like "1.33".`);
    return compareKubernetesMinors(left, right);
}
