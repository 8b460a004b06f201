// EKS-04: nodes require IMDSv2 with a stated hop limit, accept no SSH, and
// every node group runs behind a launch template that says so.
import { resourcePolicy } from "../lib/policy";
import { EKS_NODE_GROUP, LAUNCH_TEMPLATE, describeCloudResource, isSet, quoted } from "./resources";
import { recordAt } from "../../core/records";

const SSH_FIX = "reach nodes through SSM Session Manager instead (kfstack attaches AmazonSSMManagedInstanceCore to the node role)";

export const eksNodeAccess = resourcePolicy({
    id: "EKS-04",
    slug: "node-access",
    description:
        'EKS nodes require IMDSv2 (launch template metadataOptions.httpTokens "required") with a stated hop limit, no SSH access (no node group remoteAccess, no launch template keyName), and every node group uses a launch template.',
    reason: "IMDSv1 and a hop limit above 1 let any pod (or an SSRF bug in one) fetch the node role's credentials; an SSH key on nodes is a standing way in that bypasses Kubernetes RBAC and audit; a node group without a launch template gets EKS's default template, which does not require IMDSv2.",
    remediation:
        'Give each node group a launch template with metadataOptions { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } and no keyName, and drop remoteAccess from the node group; pods reach AWS through EKS Pod Identity or IRSA, people reach nodes through SSM.',
    configSchema: {
        properties: {
            maxHopLimit: {
                type: "integer",
                minimum: 1,
                maximum: 64,
                default: 1,
                description:
                    "The highest metadataOptions.httpPutResponseHopLimit allowed: 1 keeps IMDS out of reach of pods that are not on the host network; 2 lets every pod reach it.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const what = describeCloudResource(args.type, args.name);
        if (args.type === LAUNCH_TEMPLATE) {
            const { maxHopLimit } = args.getConfig<{ maxHopLimit: number }>();
            const metadata = recordAt(args.props, "metadataOptions");
            // With the metadata endpoint off there is no IMDS to protect.
            if (metadata["httpEndpoint"] !== "disabled") {
                const tokens = metadata["httpTokens"];
                if (tokens !== "required") {
                    const now = tokens === undefined ? "is not set, so the AMI's default applies" : `is ${quoted(tokens)}`;
                    reportViolation(`${what} allows IMDSv1 (metadataOptions.httpTokens ${now}); set metadataOptions.httpTokens to "required".`);
                }
                const hops = metadata["httpPutResponseHopLimit"];
                if (hops === undefined) {
                    reportViolation(
                        `${what} does not state metadataOptions.httpPutResponseHopLimit, so EC2 and AMI defaults decide whether pods reach IMDS; set it to ${maxHopLimit}.`,
                    );
                } else if (typeof hops !== "number" || hops > maxHopLimit) {
                    reportViolation(
                        `${what} sets metadataOptions.httpPutResponseHopLimit to ${quoted(hops)}, above ${maxHopLimit}: pods that are not on the host network can reach IMDS and the node role's credentials; set it to ${maxHopLimit}.`,
                    );
                }
            }
            if (isSet(args.props, "keyName")) {
                reportViolation(`${what} installs an SSH key (keyName) on its nodes; remove keyName and ${SSH_FIX}.`);
            }
            return;
        }
        if (args.type === EKS_NODE_GROUP) {
            if (isSet(args.props, "remoteAccess")) {
                reportViolation(`${what} opens SSH to its nodes (remoteAccess); remove remoteAccess and ${SSH_FIX}.`);
            }
            const template: unknown = args.props["launchTemplate"];
            if (!isSet(template, "id") && !isSet(template, "name")) {
                reportViolation(
                    `${what} has no launch template, so EKS's default template applies and IMDSv2 is not required; set launchTemplate to a template with metadataOptions.httpTokens "required" and a hop limit.`,
                );
            }
        }
    },
});
