import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { eksNodeAccess } from "../../policies/cloud/eks-04-node-access";
import { messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { changed, eksGpuNodeGroup, eksNodeGroup, launchTemplate, expectAcceptedOutright, reportOf } from "./fixtures-cloud";

const template = launchTemplate;
const SSM = "reach nodes through SSM Session Manager instead (kfstack attaches AmazonSSMManagedInstanceCore to the node role)";

describe("EKS-04 node access", () => {
    it("accepts node groups behind launch templates that require IMDSv2 with hop limit 1 and install no SSH key", async () => {
        await expectAcceptedOutright(eksNodeAccess, [template(), eksNodeGroup(), eksGpuNodeGroup()]);
    });

    it("accepts a launch template that turns the metadata endpoint off", async () => {
        expect(await messagesOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions"], { httpEndpoint: "disabled" })])).toEqual([]);
    });

    it("rejects a launch template that allows IMDSv1", async () => {
        expect(await violationsOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions", "httpTokens"], "optional")])).toEqual([
            mandatoryViolation(
                { policy: "eks-04-node-access", id: "EKS-04" },
                template(),
                'Launch template "kfstack-prod-general-lt" allows IMDSv1 (metadataOptions.httpTokens is "optional"); set metadataOptions.httpTokens to "required".',
            ),
        ]);
    });

    it("rejects a launch template that leaves httpTokens to the AMI default", async () => {
        expect(await messagesOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions", "httpTokens"], undefined)])).toEqual([
            'Launch template "kfstack-prod-general-lt" allows IMDSv1 (metadataOptions.httpTokens is not set, so the AMI\'s default applies); set metadataOptions.httpTokens to "required".',
        ]);
    });

    it("rejects a launch template without metadataOptions for both the token and the hop limit", async () => {
        expect(await messagesOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions"], undefined)])).toEqual([
            'Launch template "kfstack-prod-general-lt" allows IMDSv1 (metadataOptions.httpTokens is not set, so the AMI\'s default applies); set metadataOptions.httpTokens to "required".',
            'Launch template "kfstack-prod-general-lt" does not state metadataOptions.httpPutResponseHopLimit, so EC2 and AMI defaults decide whether pods reach IMDS; set it to 1.',
        ]);
    });

    it("rejects a hop limit that is not stated", async () => {
        expect(await messagesOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions", "httpPutResponseHopLimit"], undefined)])).toEqual([
            'Launch template "kfstack-prod-general-lt" does not state metadataOptions.httpPutResponseHopLimit, so EC2 and AMI defaults decide whether pods reach IMDS; set it to 1.',
        ]);
    });

    it("rejects a hop limit of 2, which lets every pod reach IMDS", async () => {
        expect(await messagesOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions", "httpPutResponseHopLimit"], 2)])).toEqual([
            'Launch template "kfstack-prod-general-lt" sets metadataOptions.httpPutResponseHopLimit to 2, above 1: pods that are not on the host network can reach IMDS and the node role\'s credentials; set it to 1.',
        ]);
    });

    it("allows a higher hop limit through the pack config", async () => {
        const hops2 = changed(template(), ["props", "metadataOptions", "httpPutResponseHopLimit"], 2);
        expect(await messagesOf(eksNodeAccess, [hops2], { "eks-04-node-access": { maxHopLimit: 2 } })).toEqual([]);
        expect(
            await messagesOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions", "httpPutResponseHopLimit"], 3)], {
                "eks-04-node-access": { maxHopLimit: 2 },
            }),
        ).toEqual([
            'Launch template "kfstack-prod-general-lt" sets metadataOptions.httpPutResponseHopLimit to 3, above 2: pods that are not on the host network can reach IMDS and the node role\'s credentials; set it to 2.',
        ]);
    });

    it("rejects a launch template that installs an SSH key, even one only known after deployment", async () => {
        const message = `Launch template "kfstack-prod-general-lt" installs an SSH key (keyName) on its nodes; remove keyName and ${SSM}.`;
        expect(await messagesOf(eksNodeAccess, [changed(template(), ["props", "keyName"], "ops-admin")])).toEqual([message]);
        const report = await reportOf(eksNodeAccess, [changed(template(), ["props", "keyName"], Unknown.instance)]);
        expect(report.violations.map((violation) => violation.message)).toEqual([message]);
        expect(report.undecided).toEqual([]);
    });

    it("rejects a node group with SSH remote access", async () => {
        expect(
            await messagesOf(eksNodeAccess, [
                changed(eksNodeGroup(), ["props", "remoteAccess"], { ec2SshKey: "ops-admin", sourceSecurityGroupIds: ["sg-0123"] }),
            ]),
        ).toEqual([`EKS node group "kfstack-prod-general" opens SSH to its nodes (remoteAccess); remove remoteAccess and ${SSM}.`]);
    });

    it("rejects a node group without a launch template", async () => {
        expect(await messagesOf(eksNodeAccess, [changed(eksNodeGroup(), ["props", "launchTemplate"], undefined)])).toEqual([
            'EKS node group "kfstack-prod-general" has no launch template, so EKS\'s default template applies and IMDSv2 is not required; set launchTemplate to a template with metadataOptions.httpTokens "required" and a hop limit.',
        ]);
    });

    it("accepts a launch template named instead of referenced by id", async () => {
        expect(await messagesOf(eksNodeAccess, [changed(eksNodeGroup(), ["props", "launchTemplate"], { name: "kfstack-nodes", version: "$Latest" })])).toEqual(
            [],
        );
    });

    it("leaves a launch template undecided while its token setting is unknown", async () => {
        expect(
            (await undecidedOf(eksNodeAccess, [changed(template(), ["props", "metadataOptions", "httpTokens"], Unknown.instance)])).map(
                (entry) => entry.reason,
            ),
        ).toEqual(["string value at .metadataOptions.httpTokens can't be known during preview"]);
    });
});
