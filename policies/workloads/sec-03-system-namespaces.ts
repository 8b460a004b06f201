// SEC-03: no workloads in default, kube-system or kube-public, except the
// cluster add-ons the exemption list names.
//
// "Workloads of the platform's users" are every pod carrier kfstack or a
// tenant deploys: Kubeflow's own controllers live in their component
// namespaces (kubeflow, istio-system, knative-serving, …) and tenants' in
// their profile namespaces, where quotas, LimitRanges, Istio authorization and
// Pod Security apply. The three system namespaces have none of that: default
// is where anything without a namespace lands, kube-system holds the cloud's
// own node agents and control-plane add-ons with the broadest RBAC, and
// kube-public is readable by everyone. Only a cluster add-on that belongs
// there by its vendor's design (the NVIDIA device plugin) may run there, by
// name, in policies/lib/exemptions.ts.
import { exemptionsOf } from "../lib/exemptions";
import { resourcePolicy } from "../lib/policy";
import { metadataOf } from "../../core/kubernetes-resources";
import { workloadOf } from "./pods";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public"];

export const systemNamespaces = resourcePolicy({
    id: "SEC-03",
    slug: "system-namespaces",
    description: `No workload (any pod carrier) runs in ${SYSTEM_NAMESPACES.join(", ")} or without a namespace (it would land in the provider's default), except the cluster add-ons named in policies/lib/exemptions.ts.`,
    reason: "Workloads in the system namespaces escape the platform's tenancy controls (Profiles, quotas, LimitRanges, Istio authorization, Pod Security labels) and share kube-system's broad service-account permissions and the cloud's node agents.",
    remediation:
        "Deploy platform components into their own namespace (kubeflow, monitoring, …) and user workloads into their profile namespace; set metadata.namespace explicitly. A cluster add-on that must run in kube-system is added, with its reason, to policies/lib/exemptions.ts.",
    validateResource: (args, reportViolation) => {
        const workload = workloadOf(args);
        if (!workload) return;
        const { namespace } = metadataOf(args.props);
        const { kind, what } = workload;
        if (namespace === undefined || namespace === "") {
            reportViolation(
                `${what} has no namespace, so it lands in the provider's default namespace (usually "default"); set metadata.namespace to the component's or the profile's namespace.`,
            );
            return;
        }
        if (!SYSTEM_NAMESPACES.includes(namespace) || exemptionsOf("SEC-03", kind, args.props).length > 0) return;
        reportViolation(`${what} runs in the system namespace "${namespace}"; move it to the component's own namespace or the user's profile namespace.`);
    },
});
