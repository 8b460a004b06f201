// VER-01: exactly one training operator, on the image the stack's release pins; never 1.9.
import { stackPolicy } from "../lib/policy";
import { kubeflowFactsOf } from "../lib/facts";
import { containersOf, describeResource, kubernetesKind } from "../../core/kubernetes-resources";
import { pulledReference } from "../../core/image-references";

const OPERATOR_IMAGE = /(^|\/)kubeflow\/training-operator(:|@)/;
const BROKEN_RELEASE = /:v?1\.9\./;

export const trainingOperatorVersion = stackPolicy({
    id: "VER-01",
    slug: "training-operator",
    description:
        "Exactly one Training Operator is deployed, on the image the bill of materials of the stack's Kubeflow release pins for it (the Kubeflow facts' images: v1.8.0 for kubeflow-1.8.1, the bundled v1.8.1 for kubeflow-1.9.1); 1.9.x is refused.",
    reason: "Training Operator 1.9 broke distributed training, and two operators reconcile the same PyTorchJobs against each other.",
    remediation: "Install the training operator from kfstack's bill of materials for the stack's release and remove any other copy.",
    validateStack: (args, reportViolation) => {
        const facts = kubeflowFactsOf(args)?.facts;
        // Without the release's images (no facts, or facts a preview has not recorded), only the count and the 1.9 refusal can be judged.
        const pinned = facts?.images?.filter((image) => OPERATOR_IMAGE.test(image));
        const operators = args.resources.flatMap((resource) => {
            const kind = kubernetesKind(resource.type);
            if (!kind) return [];
            const images = containersOf(kind.kind, resource.props)
                .map(({ container }) => container.image ?? "")
                .filter((image) => OPERATOR_IMAGE.test(image));
            return images.length ? [{ resource, what: describeResource(kind.kind, resource.props, resource.name), images }] : [];
        });
        if (operators.length > 1) {
            reportViolation(
                `${operators.length} workloads run the training operator (${operators.map((operator) => operator.what).join(", ")}); keep exactly one.`,
            );
        }
        const expected = pinned?.length ? pinned.join(" or ") : `the image the ${facts?.release ?? "release's"} bill of materials pins`;
        for (const { resource, what, images } of operators) {
            for (const image of images) {
                if (BROKEN_RELEASE.test(image))
                    reportViolation(`${what} runs ${image}: Training Operator 1.9 broke distributed training; use ${expected}.`, resource.urn);
                else if (pinned && !pinned.some((candidate) => pulledReference(candidate) === pulledReference(image)))
                    reportViolation(`${what} runs ${image}, not ${expected}, which the ${facts!.release} bill of materials pins.`, resource.urn);
            }
        }
    },
});
