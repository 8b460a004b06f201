// DRIFT-01: no planned object sets a field a controller owns after install, unless the resource ignores changes to it.
import { type ControllerOwnedField, ControllerOwnership } from "../../core/controller-owned-fields";
import { describeResource, kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import type { KubernetesObject } from "../../core/objects";
import { kubeflowFactsOf } from "../lib/facts";
import { stackPolicy } from "../lib/policy";

export const controllerOwnedFields = stackPolicy({
    id: "DRIFT-01",
    slug: "controller-owned-fields",
    description:
        "No planned Kubernetes object sets a field that a controller owns after install (the Kubeflow facts' table, components/bom/controller-owned-fields.yaml: cert-manager-injected caBundles, istiod's webhook failurePolicy, Knative's webhook rules and certificate Secrets, replicas an HPA sets), unless the resource's ignoreChanges covers it.",
    reason: "kfstack applies objects with server-side apply: a field it sends and a controller rewrites either conflicts with the controller's field manager on the next update or, forced, puts upstream's placeholder back (a `Cg==` caBundle) and breaks admission for every InferenceService or Katib experiment until the controller repairs it.",
    remediation:
        "Leave the field out of the object's inputs (a `remove` row of components/bom/controller-owned-fields.yaml does that for every layer), or, when the value at create matters, create it and add the path to the resource's ignoreChanges.",
    validateStack: (args, reportViolation) => {
        const found = kubeflowFactsOf(args);
        if (!found) return;
        const rows = found.facts.controllerOwnedFields;
        if (!Array.isArray(rows)) {
            return args.notApplicable(
                `The Kubeflow facts of ${found.urn} lack controllerOwnedFields, the table of fields controllers own, so DRIFT-01 cannot decide; the Kubeflow component must register it with its facts.`,
            );
        }
        // A Kubernetes resource's props are the object itself (apiVersion, kind, metadata and all), read lazily.
        const planned = args.resources.flatMap((resource) =>
            kubernetesKind(resource.type) && typeof metadataOf(resource.props).name === "string"
                ? [{ resource, object: resource.props as KubernetesObject }]
                : [],
        );
        // Copied once out of the SDK's unknown-checking proxy, through which every read of a row makes new proxies, per object.
        const table = JSON.parse(JSON.stringify(rows)) as ControllerOwnedField[];
        const ownership = new ControllerOwnership(
            table,
            planned.map(({ object }) => object),
        );
        for (const { resource, object } of planned) {
            for (const { row, pattern, path } of ownership.ownedFieldsSet(object, resource.opts.ignoreChanges ?? [])) {
                const fix =
                    row.handling === "remove"
                        ? "leave it out of the inputs (the table's remove rows do that for every manifest layer)"
                        : `create it as upstream ships it and add "${pattern}" to the resource's ignoreChanges`;
                reportViolation(
                    `${describeResource(object.kind, resource.props, resource.name)} sets ${path}, which ${row.controller} owns after install (${row.why.replace(/\.$/, "")}); ${fix}.`,
                    resource.urn,
                );
            }
        }
    },
});
