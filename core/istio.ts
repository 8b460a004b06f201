// What kfstack knows about Istio's API: which groups are Istio's, and the header Kubeflow's identity travels in.

/** The request header oidc-authservice sets at the ingress gateway and every Kubeflow backend reads the user from. */
export const KUBEFLOW_USER_HEADER = "kubeflow-userid";

/** Istio's API groups: istio.io and every *.istio.io (networking, security, telemetry, extensions, …). */
export function isIstioGroup(group: string): boolean {
    return group === "istio.io" || group.endsWith(".istio.io");
}
