// KServe's URLs under the gateway's zone: Knative names every route
// <name>.<namespace>.<domain> from config-domain, and KServe's raw deployments
// name theirs from inferenceservice-config's ingressDomain; upstream leaves
// both at example.com.
import type { KubernetesObject } from "../../core/objects";
import { objectKey } from "../../core/objects";
import { CustomizeError } from "../manifests/customize";

const CONFIG_DOMAIN = "/ConfigMap/knative-serving/config-domain";
const KSERVE_CONFIG = "/ConfigMap/kubeflow/inferenceservice-config";

/** Sets Knative's default domain and KServe's ingress domain to `domain`. */
export function setServingDomain(objects: KubernetesObject[], domain: string): void {
    const byKey = new Map(objects.map((object) => [objectKey(object), object]));
    const configDomain = byKey.get(CONFIG_DOMAIN);
    if (!configDomain) throw new CustomizeError("The rendered manifests have no ConfigMap knative-serving/config-domain to set the serving domain in.");
    // A key with an empty value is Knative's default domain, used for every route; upstream's only key is an _example.
    configDomain["data"] = { [domain]: "" };
    const kserve = byKey.get(KSERVE_CONFIG);
    if (!kserve) throw new CustomizeError("The rendered manifests have no ConfigMap kubeflow/inferenceservice-config to set KServe's ingress domain in.");
    const data = kserve["data"] as Record<string, string>;
    const ingress = JSON.parse(data["ingress"] ?? "{}") as Record<string, unknown>;
    data["ingress"] = JSON.stringify({ ...ingress, ingressDomain: domain }, null, 4);
}
