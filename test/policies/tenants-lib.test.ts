import { describe, expect, it } from "vitest";
import { kubernetesKind, metadataOf } from "../../core/kubernetes-resources";
import { type StackResource, kubernetesObjects } from "../../policies/lib/tenants";
import { twoTenants } from "./fixtures-tenancy";

function stackOf(): StackResource[] {
    return twoTenants().map((record) => ({ type: record.type, name: record.name, urn: record.urn ?? record.name, props: record.props }));
}

/** The objects of `kinds` read afresh on every call, as the pack did before it read each kind once per stack. */
function readAfresh(resources: readonly StackResource[], kinds: readonly string[]) {
    return resources.flatMap((resource) => {
        const kind = kubernetesKind(resource.type);
        if (!kind || !kinds.includes(kind.kind)) return [];
        const { name, namespace } = metadataOf(resource.props);
        const group = kind.apiVersion.includes("/") ? kind.apiVersion.slice(0, kind.apiVersion.lastIndexOf("/")) : "";
        return [{ kind: kind.kind, group, name: name ?? resource.name, ...(namespace ? { namespace } : {}), props: resource.props, resource }];
    });
}

describe("kubernetesObjects, read once per kind of a stack", () => {
    it.each([
        [["Profile"]],
        [["LimitRange"]],
        [["RoleBinding"]],
        [["ClusterRoleBinding", "RoleBinding"]],
        [["RoleBinding", "LimitRange", "Role", "Profile"]],
        [["Nothing"]],
    ])("returns what reading %j afresh returns, in stack order, on every call", (kinds) => {
        const resources = stackOf();
        const expected = readAfresh(resources, kinds);
        expect(expected.length > 0 || kinds[0] === "Nothing").toBe(true);
        expect(kubernetesObjects(resources, kinds)).toEqual(expected);
        expect(kubernetesObjects(resources, kinds)).toEqual(expected);
    });

    it("reads a new resources array afresh", () => {
        const resources = stackOf();
        expect(kubernetesObjects(resources, ["Profile"]).map((object) => object.name)).toEqual(["team-a", "team-b"]);
        const fewer = resources.filter((resource) => !(resource.type.endsWith(":Profile") && resource.name === "team-a"));
        expect(kubernetesObjects(fewer, ["Profile"]).map((object) => object.name)).toEqual(["team-b"]);
    });

    it("reads the props of the kinds asked for only, so an unreadable object of another kind decides nothing", () => {
        const resources = stackOf();
        const unreadable = { type: "kubernetes:core/v1:ConfigMap", name: "later", urn: "later", props: {} as Record<string, unknown> };
        Object.defineProperty(unreadable.props, "metadata", {
            get: () => {
                throw new Error("metadata can't be known during preview");
            },
        });
        resources.push(unreadable);
        expect(kubernetesObjects(resources, ["Profile"])).toEqual(readAfresh(resources, ["Profile"]));
        expect(() => kubernetesObjects(resources, ["ConfigMap"])).toThrow("can't be known");
    });
});
