// A stack policy's facts, or undecided: a component that records facts but
// lacks one the policy reads (its outputs registered without it, as a real
// preview would show them) leaves the policy unable to decide, which it says
// through notApplicable instead of judging on undefined or throwing.
import type { StackValidationArgs } from "@pulumi/policy";
import {
    type ClusterFacts,
    type KubeflowFacts,
    type RecordedFacts,
    type TenancyFacts,
    recordedClusterFacts,
    recordedKubeflowFacts,
    recordedTenancyFacts,
} from "../../core/facts";
import { listOf } from "../../core/text";

type Args = Pick<StackValidationArgs, "resources" | "notApplicable">;

function decided<T>(args: Args, found: RecordedFacts<T> | undefined, what: string): { facts: T; urn: string } | undefined {
    if (found && found.missing.length > 0) {
        args.notApplicable(
            `The ${what} facts of ${found.urn} lack ${listOf(found.missing)}, which this policy reads, so it cannot decide; the component must register its facts as its outputs (registerOutputs), which is what a preview gives stack policies.`,
        );
    }
    return found;
}

/** The cluster facts and the URN of the component that records them; undefined without a cluster component (a bare resource list). */
export function clusterFactsOf(args: Args): { facts: ClusterFacts; urn: string } | undefined {
    return decided(args, recordedClusterFacts(args.resources), "cluster");
}

export function kubeflowFactsOf(args: Args): { facts: KubeflowFacts; urn: string } | undefined {
    return decided(args, recordedKubeflowFacts(args.resources), "Kubeflow");
}

export function tenancyFactsOf(args: Args): { facts: TenancyFacts; urn: string } | undefined {
    return decided(args, recordedTenancyFacts(args.resources), "tenancy");
}
