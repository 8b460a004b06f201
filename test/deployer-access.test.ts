// EKS deployer access: the identity running `pulumi up` becomes cluster-admin
// through an access entry, and the Kubernetes provider waits for every
// cluster-admin association before any object is applied.
import { plannableStackSettings } from "../engine/unset-secrets";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clusterAdminPrincipals, principalArnOf } from "../components/cluster/aws/deployer";
import { platformProgram } from "../components/platform";
import { runOffline } from "../engine/offline";
import { CALLER_ARN_VARIABLE, GET_CALLER_IDENTITY, offlineCallerArn } from "../engine/offline-invokes";
import { type Plan, planStack } from "../engine/plan";
import { type PlannedResource, resource, resourcesOfType, stackFixture } from "./helpers";
import { plannedStack } from "./planned-stacks";

const ENTRY = "aws:eks/accessEntry:AccessEntry";
const ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const OFFLINE_DEPLOYER = "arn:aws:iam::123456789012:role/kfstack-offline-deployer";

const principals = (resources: PlannedResource[]) => resources.map((planned) => planned.inputs.principalArn).sort();

/** The associations the stack's Kubernetes provider depends on, and every association of the plan. */
function providerWaits(plan: Plan, stack: string) {
    const provider = resource(plan, "pulumi:providers:kubernetes", `kfstack-${stack}-k8s`);
    const associations = resourcesOfType(plan, ASSOCIATION);
    return { waitsFor: provider.dependsOn.filter((urn) => urn.includes(ASSOCIATION)).sort(), associations: associations.map((planned) => planned.urn).sort() };
}

describe("principalArnOf", () => {
    it("turns an assumed-role session into its role", () => {
        expect(principalArnOf("arn:aws:sts::111122223333:assumed-role/ci-deployer/gh-run-42")).toBe("arn:aws:iam::111122223333:role/ci-deployer");
    });

    it("keeps the GovCloud partition of the session", () => {
        expect(principalArnOf("arn:aws-us-gov:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0a1b/jane@example.com")).toBe(
            "arn:aws-us-gov:iam::111122223333:role/AWSReservedSSO_Admin_0a1b",
        );
    });

    it("cannot recover a role's path, which a session ARN does not carry (such a role belongs in clusterAdmins)", () => {
        expect(principalArnOf("arn:aws:sts::111122223333:assumed-role/deployer/run-1")).toBe("arn:aws:iam::111122223333:role/deployer");
    });

    it("leaves IAM users and roles as they are", () => {
        expect(principalArnOf("arn:aws:iam::111122223333:user/jane")).toBe("arn:aws:iam::111122223333:user/jane");
        expect(principalArnOf("arn:aws:iam::111122223333:role/platform-admins")).toBe("arn:aws:iam::111122223333:role/platform-admins");
    });
});

describe("clusterAdminPrincipals", () => {
    it("adds the deployer after the stack's clusterAdmins", () => {
        expect(clusterAdminPrincipals(["arn:aws:iam::111122223333:role/platform-admins"], OFFLINE_DEPLOYER)).toEqual([
            "arn:aws:iam::111122223333:role/platform-admins",
            OFFLINE_DEPLOYER,
        ]);
    });

    it("adds no second entry for a deployer already among clusterAdmins", () => {
        expect(clusterAdminPrincipals([OFFLINE_DEPLOYER], OFFLINE_DEPLOYER)).toEqual([OFFLINE_DEPLOYER]);
    });

    it("recognises an SSO role listed with its path as the deployer whose session dropped it, and adds no pathless entry", () => {
        const sso = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_PlatformAdmin_0123456789abcdef";
        const deployer = principalArnOf("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_PlatformAdmin_0123456789abcdef/ana@example.com");
        expect(clusterAdminPrincipals([sso], deployer)).toEqual([sso]);
    });

    it("keeps a same-named role of another account apart", () => {
        const other = "arn:aws:iam::444455556666:role/kfstack-offline-deployer";
        expect(clusterAdminPrincipals([other], OFFLINE_DEPLOYER)).toEqual([other, OFFLINE_DEPLOYER]);
    });
});

describe("offline caller identity", () => {
    it("is the offline deployer's session in the partition of the provider's region", () => {
        expect(offlineCallerArn("us-east-1", {})).toBe("arn:aws:sts::123456789012:assumed-role/kfstack-offline-deployer/kfstack-offline");
        expect(offlineCallerArn("us-gov-west-1", {})).toBe("arn:aws-us-gov:sts::123456789012:assumed-role/kfstack-offline-deployer/kfstack-offline");
    });

    it(`is whatever ${CALLER_ARN_VARIABLE} says`, () => {
        expect(offlineCallerArn("us-east-1", { [CALLER_ARN_VARIABLE]: "arn:aws:iam::111122223333:user/jane" })).toBe("arn:aws:iam::111122223333:user/jane");
    });
});

describe.each(["dev", "prod"] as const)("deployer access in the %s plan", (stack) => {
    it("gives the offline deployer an access entry and a cluster-scope AmazonEKSClusterAdminPolicy association", async () => {
        const plan = await plannedStack(stack);
        const name = `kfstack-${stack}-admin-role-kfstack-offline-deployer`;
        expect(resource(plan, ENTRY, name).inputs).toMatchObject({ principalArn: OFFLINE_DEPLOYER, type: "STANDARD" });
        const association = resource(plan, ASSOCIATION, name);
        expect(association.inputs).toMatchObject({
            principalArn: OFFLINE_DEPLOYER,
            policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            accessScope: { type: "cluster" },
        });
        expect(association.dependsOn).toContain(resource(plan, ENTRY, name).urn);
    });

    it("makes the Kubernetes provider depend on every cluster-admin association", async () => {
        const { waitsFor, associations } = providerWaits(await plannedStack(stack), stack);
        expect(waitsFor).toEqual(associations);
        expect(associations).toHaveLength(stack === "prod" ? 2 : 1);
    });
});

describe("a deployer that the stack already lists in clusterAdmins", () => {
    afterEach(() => vi.unstubAllEnvs());

    it("gets no second access entry", async () => {
        // The CI role of prod's clusterAdmins, as STS names it in a session.
        vi.stubEnv(CALLER_ARN_VARIABLE, "arn:aws:sts::111122223333:assumed-role/platform-admins/ci-run-7");
        const plan = await planStack("prod");
        expect(principals(resourcesOfType(plan, ENTRY))).toEqual(["arn:aws:iam::111122223333:role/platform-admins"]);
        expect(principals(resourcesOfType(plan, ASSOCIATION))).toEqual(["arn:aws:iam::111122223333:role/platform-admins"]);
        const { waitsFor, associations } = providerWaits(plan, "prod");
        expect(waitsFor).toEqual(associations);
    });
});

describe("the caller identity in the plan", () => {
    it("is read once on AWS, in the stack's partition on GovCloud", async () => {
        const run = await runOffline(platformProgram(), plannableStackSettings("govcloud", { configFile: stackFixture("govcloud") }));
        expect(run.invokes).toEqual([GET_CALLER_IDENTITY]);
        expect(principals(run.resources.filter((planned) => planned.type === ENTRY))).toEqual([
            "arn:aws-us-gov:iam::111122223333:role/platform-admins",
            "arn:aws-us-gov:iam::123456789012:role/kfstack-offline-deployer",
        ]);
    });

    it.each(["gke-dev", "onprem"])("is never read by the %s stack, which is not on AWS", async (stack) => {
        const run = await runOffline(platformProgram(), plannableStackSettings(stack));
        expect(run.invokes).toEqual([]);
    });
});
