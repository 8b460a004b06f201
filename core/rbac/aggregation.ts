// ClusterRole aggregation to a fixpoint, as the clusterrole-aggregation controller fills in aggregated roles
// (selector by selector, roles by name; see docs/rbac-evaluation.md).
import type { EffectiveRule, PolicyRule } from "./model";
import type { RoleEntry } from "./read";

/** A ClusterRole aggregated into another, with the aggregated roles between them, outermost first. */
export interface AggregatedRole {
    role: RoleEntry;
    via: string[];
}

/**
 * Every ClusterRole whose rules `root` collects, transitively, in the controller's order: aggregated roles come
 * before the roles they select. Cycles end at the least fixpoint: each role is reached once.
 */
export function aggregatedInto(root: RoleEntry, clusterRoles: readonly RoleEntry[]): AggregatedRole[] {
    const reached: AggregatedRole[] = [];
    const visited = new Set<RoleEntry>([root]);
    const walk = (role: RoleEntry, via: string[]) => {
        for (const selector of role.selectors ?? []) {
            for (const candidate of clusterRoles) {
                if (visited.has(candidate) || !selector.matches(candidate.object.metadata.labels)) continue;
                visited.add(candidate);
                reached.push({ role: candidate, via });
                if (candidate.selectors) walk(candidate, [...via, candidate.description]);
            }
        }
    };
    walk(root, []);
    return reached;
}

/** nonResourceURLs rules grant no resource request. */
const isResourceRule = (rule: PolicyRule) => rule.resources.length > 0;

/** The resource rules a role grants: its own, or for an aggregated ClusterRole those of the roles it aggregates (its own are replaced). */
export function effectiveRules(role: RoleEntry, clusterRoles: readonly RoleEntry[]): EffectiveRule[] {
    if (!role.selectors) return role.rules.filter(isResourceRule).map((rule) => ({ rule }));
    return aggregatedInto(role, clusterRoles)
        .filter(({ role: source }) => !source.selectors)
        .flatMap(({ role: source, via }) => source.rules.filter(isResourceRule).map((rule) => ({ rule, aggregatedFrom: source.description, via })));
}
