// Which writes the audit follows to the ServiceAccounts a tenant's pods may run as (engine/audit/rbac-requests.ts).
import { describe, expect, it } from "vitest";
import { type GrantedRequest, makesPods } from "../../engine/audit/rbac-requests";

const creating = (apiGroup: string, resource: string, verb = "create") =>
    ({ check: { verb, apiGroup, resource }, level: "write" }) as unknown as GrantedRequest;

describe("objects a controller turns into pods", () => {
    it("counts a Katib Trial: katib v0.16.0's trial controller creates its spec.runSpec as is, any Job kind naming any ServiceAccount of the namespace", () => {
        // pkg/controller.v1beta1/trial/trial_controller.go getDesiredJobSpec (lines 312-323) and reconcileJob's Create (line 281).
        expect(makesPods(creating("kubeflow.org", "trials"))).toBe(true);
        expect(makesPods(creating("kubeflow.org", "experiments"))).toBe(true);
    });

    it("does not count a Suggestion, whose Deployment runs katib-config's image as katib-config's account or one Katib makes for it, nor a read", () => {
        // suggestion/composer/composer.go lines 117-118 and 137-138: the caller names neither.
        expect(makesPods(creating("kubeflow.org", "suggestions"))).toBe(false);
        expect(makesPods(creating("kubeflow.org", "trials", "get"))).toBe(false);
    });
});
