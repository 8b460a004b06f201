// TEN-02: nothing planned in a tenant namespace makes a controller or the network reach past it, by the rules the
// tenant namespaces' admission policies enforce at run time (core/tenant-references.ts).
import { stackPolicy } from "../lib/policy";
import { describeResource } from "../../core/kubernetes-resources";
import { foreignTrialTemplate, serviceReach, sharedTrialTemplates } from "../../core/tenant-references";
import { coreObject, kubernetesObjects, tenantsOf } from "../lib/tenants";

export const tenantReferences = stackPolicy({
    id: "TEN-02",
    slug: "tenant-references",
    description:
        "No Katib Experiment in a tenant namespace reads its trial template (spec.trialTemplate.configMap) from a ConfigMap of another namespace, other than Katib's shared templates (the ConfigMaps of kubeflow labelled katib.kubeflow.org/component: trial-templates); no Service in a tenant namespace sets externalIPs or loadBalancerIP or is of type ExternalName.",
    reason: "Katib's controller reads ConfigMaps of every namespace for an Experiment and its webhook quotes a ConfigMap back when the template path is missing, so one tenant reads or runs another's; a Service's externalIPs capture traffic to any address on every node (CVE-2020-8554), loadBalancerIP claims an address, and an ExternalName behind a controller-made route of the shared gateway makes the gateway fetch any host past the tenant's egress policy.",
    remediation:
        "Keep trial templates in the Experiment's own namespace (or use Katib's shared kubeflow/trial-templates); expose tenant Services as ClusterIP behind the Kubeflow gateway, without externalIPs, loadBalancerIP or ExternalName. The tenant namespaces' admission policies refuse the same objects at run time.",
    validateStack: (args, reportViolation) => {
        const tenants = new Set(tenantsOf(args.resources).map((tenant) => tenant.namespace));
        const shared = sharedTrialTemplates(kubernetesObjects(args.resources, ["ConfigMap"]).map((object) => coreObject(object, [], true)));
        for (const object of kubernetesObjects(args.resources, ["Experiment", "Service"])) {
            if (object.namespace === undefined || !tenants.has(object.namespace)) continue;
            const what = describeResource(object.kind, object.props, object.resource.name);
            if (object.kind === "Experiment" && object.group === "kubeflow.org") {
                const foreign = foreignTrialTemplate(object.props["spec"], object.namespace, shared);
                if (foreign)
                    reportViolation(
                        `${what}, in tenant namespace ${object.namespace}, reads its trial template from ConfigMap "${foreign.namespace}/${foreign.name}" (spec.trialTemplate.configMap), which Katib's controller reads with its own rights; keep the template in ${object.namespace}, or use Katib's shared templates.`,
                        object.resource.urn,
                    );
            }
            if (object.kind !== "Service" || object.group !== "") continue;
            for (const reach of serviceReach(object.props["spec"]))
                reportViolation(
                    `${what}, in tenant namespace ${object.namespace}, sets ${reach.what}: ${reach.why}; remove it and expose the Service as ClusterIP.`,
                    object.resource.urn,
                );
        }
    },
});
