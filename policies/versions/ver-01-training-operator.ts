// VER-01: exactly one training operator, on the pinned v1.8.0 image; never 1.9.
import { stackPolicy } from "../lib/policy";
import { containersOf, describeResource, kubernetesKind } from "../../core/kubernetes-resources";

const OPERATOR_IMAGE = /(^|\/)kubeflow\/training-operator(:|@)/;
/** v1.8.0 is released as the image tag v1-9e52eb7. */
const PINNED_TAG = "v1-9e52eb7";
const BROKEN_RELEASE = /:v?1\.9\./;

export const trainingOperatorVersion = stackPolicy({
    id: "VER-01",
    slug: "training-operator",
    description: `Exactly one Training Operator is deployed, on the image kubeflow/training-operator:${PINNED_TAG} (v1.8.0); 1.9.x is refused.`,
    reason: "Training Operator 1.9 broke distributed training, and two operators reconcile the same PyTorchJobs against each other.",
    remediation: `Install the training operator from kfstack's bill of materials (v1.8.0, image tag ${PINNED_TAG}) and remove any other copy.`,
    validateStack: (args, reportViolation) => {
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
        for (const { resource, what, images } of operators) {
            for (const image of images) {
                if (BROKEN_RELEASE.test(image))
                    reportViolation(
                        `${what} runs ${image}: Training Operator 1.9 broke distributed training; use kubeflow/training-operator:${PINNED_TAG}.`,
                        resource.urn,
                    );
                else if (!image.endsWith(`:${PINNED_TAG}`))
                    reportViolation(`${what} runs ${image}, not the pinned kubeflow/training-operator:${PINNED_TAG} (v1.8.0).`, resource.urn);
            }
        }
    },
});
