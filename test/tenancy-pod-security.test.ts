// Pod security in tenant namespaces (issue 13, finding 2): the planned ValidatingAdmissionPolicy, evaluated with a
// CEL interpreter on the pods a member of a tenant could create, and on the pods the platform puts there.
import { run } from "@bufbuild/cel";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../engine/plan";
import { plannedStack } from "./planned-stacks";
import { resource } from "./helpers";
import { istioInitImage } from "../components/tenancy/pod-security";
import type { KubernetesObject } from "../core/objects";

const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const PROXY = "docker.io/istio/proxyv2:1.17.5";

type Pod = { metadata?: { annotations?: Record<string, string> }; spec: Record<string, unknown> };

/** Istio 1.17's init container as the injector's "sidecar" template writes it with the CNI plugin off (05-istio-install.yaml). */
const istioInit = (changes: Record<string, unknown> = {}) => ({
    name: "istio-init",
    image: PROXY,
    args: ["istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"],
    securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] },
        readOnlyRootFilesystem: false,
        runAsGroup: 0,
        runAsNonRoot: false,
        runAsUser: 0,
    },
    ...changes,
});
const sidecar = { name: "istio-proxy", image: PROXY, args: ["proxy", "sidecar"], securityContext: { capabilities: { drop: ["ALL"] }, privileged: false } };
const notebook = { name: "notebook", image: "kubeflownotebookswg/jupyter-scipy:v1.8.0" };
/** The annotations the injector writes on the pod (keys with dots and slashes, as the AppArmor rule reads them). */
const injected = {
    "kubectl.kubernetes.io/default-container": "notebook",
    "prometheus.io/path": "/stats/prometheus",
    "sidecar.istio.io/status": '{"initContainers":["istio-init"],"containers":["istio-proxy"]}',
};
const pod = (spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): Pod => ({
    metadata: { annotations: { ...injected, ...annotations } },
    spec: { containers: [notebook, sidecar], initContainers: [istioInit()], ...spec },
});

describe("pod security in the prod stack's tenant namespaces", () => {
    let plan: Plan;
    let validations: { expression: string; message: string }[];
    /** The messages of the validations the pod fails: what the API server answers a tenant's create with. */
    const rejections = (object: Pod) =>
        validations.filter(({ expression }) => run(expression, { object } as unknown as Parameters<typeof run>[1]) !== true).map(({ message }) => message);

    beforeAll(async () => {
        plan = await plannedStack("prod");
        validations = (resource(plan, POLICY, "kfstack-tenant-pod-security").inputs.spec as { validations: typeof validations }).validations;
    });

    it("binds the policy, denying, to every namespace the profile controller labels as a profile's", () => {
        expect(resource(plan, BINDING, "kfstack-tenant-pod-security").inputs.spec).toEqual({
            policyName: "kfstack-tenant-pod-security",
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { "app.kubernetes.io/part-of": "kubeflow-profile" } } },
        });
        const labels = plan.resources.find((planned) => planned.name.startsWith("kubeflow/namespace-labels-data"))!.inputs.data as Record<string, string>;
        expect(labels["namespace-labels.yaml"]).toContain('app.kubernetes.io/part-of: "kubeflow-profile"');
        expect(resource(plan, POLICY, "kfstack-tenant-pod-security").inputs.spec).toMatchObject({
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "pods/ephemeralcontainers"] }],
            },
        });
    });

    it("is in place before any Profile, so no tenant namespace exists unguarded", () => {
        for (const profile of ["vision", "nlp"]) {
            expect(resource(plan, "kubernetes:kubeflow.org/v1:Profile", profile).dependsOn).toEqual(
                expect.arrayContaining([resource(plan, POLICY, "kfstack-tenant-pod-security").urn, resource(plan, BINDING, "kfstack-tenant-pod-security").urn]),
            );
        }
    });

    it("admits the pods the platform runs there: a notebook with Istio's sidecar and init container, a Katib trial sharing its process namespace", () => {
        expect(rejections(pod())).toEqual([]);
        expect(
            rejections(
                pod({
                    shareProcessNamespace: true,
                    containers: [notebook, { name: "metrics-logger-and-collector", image: "kubeflowkatib/file-metrics-collector:v0.16.0" }],
                }),
            ),
        ).toEqual([]);
    });

    it.each([
        [
            "a privileged container",
            pod({ containers: [{ ...notebook, securityContext: { privileged: true } }] }),
            "containers of tenant pods may not run privileged",
        ],
        ["a hostPath volume", pod({ volumes: [{ name: "root", hostPath: { path: "/" } }] }), "pods of tenants may not mount hostPath volumes"],
        ["hostNetwork, past the IMDS hop limit", pod({ hostNetwork: true }), "pods of tenants may not share the node's network namespace (hostNetwork)"],
        ["hostPID", pod({ hostPID: true }), "pods of tenants may not share the node's process namespace (hostPID)"],
        ["hostIPC", pod({ hostIPC: true }), "pods of tenants may not share the node's IPC namespace (hostIPC)"],
        [
            "an added SYS_ADMIN",
            pod({ containers: [{ ...notebook, securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }] }),
            "containers of tenant pods may add only the Pod Security baseline capabilities",
        ],
        [
            "a privileged ephemeral container",
            pod({ ephemeralContainers: [{ name: "debug", image: "busybox", securityContext: { privileged: true } }] }),
            "ephemeralContainers of tenant pods may not run privileged",
        ],
    ])("rejects %s", (_, attack, message) => {
        expect(rejections(attack)).toEqual([message]);
    });

    describe("the rest of Pod Security baseline, at Kubernetes 1.30's allowed values", () => {
        const confined = (securityContext: Record<string, unknown>) => ({ ...notebook, securityContext });
        const APPARMOR = "container.apparmor.security.beta.kubernetes.io/notebook";

        it("admits what baseline allows: RuntimeDefault seccomp, a localhost AppArmor profile, container_t, Default /proc, a safe sysctl, hostPort 0", () => {
            const allowed = pod(
                {
                    securityContext: {
                        seccompProfile: { type: "RuntimeDefault" },
                        seLinuxOptions: { type: "container_t", level: "s0:c123,c456" },
                        sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
                        windowsOptions: { hostProcess: false },
                    },
                    containers: [
                        confined({
                            appArmorProfile: { type: "Localhost", localhostProfile: "k8s-notebook" },
                            procMount: "Default",
                            seLinuxOptions: { user: "" },
                        }),
                        { ...sidecar, ports: [{ containerPort: 15090, hostPort: 0 }] },
                    ],
                },
                { [APPARMOR]: "localhost/k8s-notebook", "container.apparmor.security.beta.kubernetes.io/istio-proxy": "runtime/default" },
            );
            expect(rejections(allowed)).toEqual([]);
            expect(rejections({ spec: { containers: [notebook] } })).toEqual([]);
        });

        it.each([
            [
                "a host port",
                pod({ containers: [{ ...notebook, ports: [{ containerPort: 8888, hostPort: 8888 }] }] }),
                "containers of tenant pods may not use host ports (ports[].hostPort)",
            ],
            [
                "a Windows host process",
                pod({ securityContext: { windowsOptions: { hostProcess: true } } }),
                "pods of tenants may not set securityContext.windowsOptions.hostProcess to true",
            ],
            [
                "an Unconfined AppArmor profile",
                pod({ containers: [confined({ appArmorProfile: { type: "Unconfined" } })] }),
                "containers of tenant pods may set securityContext.appArmorProfile.type only to RuntimeDefault or Localhost",
            ],
            [
                "an unconfined AppArmor annotation",
                pod({}, { [APPARMOR]: "unconfined" }),
                "pods of tenants may set container.apparmor.security.beta.kubernetes.io/* annotations only to runtime/default or localhost/<profile>",
            ],
            [
                "the SELinux type spc_t",
                pod({ containers: [confined({ seLinuxOptions: { type: "spc_t" } })] }),
                "containers of tenant pods may set securityContext.seLinuxOptions.type only to container_t, container_init_t or container_kvm_t",
            ],
            [
                "an SELinux user",
                pod({ securityContext: { seLinuxOptions: { user: "system_u" } } }),
                "pods of tenants may not set securityContext.seLinuxOptions.user",
            ],
            [
                "an unmasked /proc",
                pod({ containers: [confined({ procMount: "Unmasked" })] }),
                "containers of tenant pods may set securityContext.procMount only to Default",
            ],
            [
                "an Unconfined seccomp profile on the pod",
                pod({ securityContext: { seccompProfile: { type: "Unconfined" } } }),
                "pods of tenants may set securityContext.seccompProfile.type only to RuntimeDefault or Localhost",
            ],
            [
                "an Unconfined seccomp profile on a container",
                pod({ containers: [confined({ seccompProfile: { type: "Unconfined" } }), sidecar] }),
                "containers of tenant pods may set securityContext.seccompProfile.type only to RuntimeDefault or Localhost",
            ],
            [
                "an Unconfined seccomp profile on a debug container",
                pod({ ephemeralContainers: [{ name: "debug", image: "busybox", securityContext: { seccompProfile: { type: "Unconfined" } } }] }),
                "ephemeralContainers of tenant pods may set securityContext.seccompProfile.type only to RuntimeDefault or Localhost",
            ],
            [
                "the unsafe sysctl kernel.msgmax",
                pod({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "65536" }] } }),
                "pods of tenants may set only the Pod Security baseline's safe sysctls (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes)",
            ],
        ])("rejects %s", (_, attack, message) => {
            expect(rejections(attack)).toEqual([message]);
        });

        it("exempts Istio's init container from nothing but its two capabilities: an unmasked /proc is rejected even as the injector's shape", () => {
            const unmasked = istioInit({ securityContext: { ...istioInit().securityContext, procMount: "Unmasked" } });
            expect(rejections(pod({ initContainers: [unmasked] }))).toEqual([
                "initContainers of tenant pods may set securityContext.procMount only to Default",
            ]);
        });
    });

    const initCapabilities =
        "initContainers of tenant pods may add only the Pod Security baseline capabilities (Istio's istio-init, as its injector writes it, also NET_ADMIN and NET_RAW)";
    it.each([
        ["another image", istioInit({ image: "attacker/toolbox:latest" })],
        ["the proxy image of another registry (the sidecar.istio.io/proxyImage annotation)", istioInit({ image: "evil.example.com/istio/proxyv2:1.17.5" })],
        ["a command of its own", istioInit({ command: ["/bin/sh", "-c", "nsenter -t 1 -n"] })],
        ["another program first", istioInit({ args: ["bash", "-c", "id"] })],
        ["SYS_ADMIN besides NET_ADMIN and NET_RAW", istioInit({ securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN"] } } })],
    ])("gives a container named istio-init with %s none of Istio's capabilities", (_, impostor) => {
        expect(rejections(pod({ initContainers: [impostor] }))).toEqual([initCapabilities]);
    });

    it("gives Istio's capabilities to no regular container named istio-init, and never privilege", () => {
        expect(rejections(pod({ containers: [notebook, istioInit()] }))).toEqual([
            "containers of tenant pods may add only the Pod Security baseline capabilities",
        ]);
        const privileged = istioInit({ securityContext: { privileged: true, capabilities: { add: ["NET_ADMIN", "NET_RAW"] } } });
        expect(rejections(pod({ initContainers: [privileged] }))).toEqual(["initContainers of tenant pods may not run privileged"]);
    });
});

describe("pod security in the air-gapped stack", () => {
    it("would exempt Istio's init container by the proxy image in the stack's mirror, as the injector's rewritten hub composes it", async () => {
        const plan = await plannedStack("airgap");
        const objects = plan.resources
            .filter((planned) => typeof planned.inputs.apiVersion === "string")
            .map((planned) => planned.inputs as unknown as KubernetesObject);
        const image = istioInitImage(objects);
        expect(image).not.toBe(PROXY);
        expect(image.endsWith("/istio/proxyv2:1.17.5")).toBe(true);
    });
});
