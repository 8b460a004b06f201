import { describe, expect, it } from "vitest";
import { Unknown } from "../../engine/values";
import { EXEMPTIONS } from "../../policies/lib/exemptions";
import { privilegedWorkloads } from "../../policies/workloads/sec-01-privileged-workloads";
import { WORKLOAD_KINDS, changed, kindsNamedIn, messagesOf, violationsOf, mandatoryViolation, undecidedOf } from "./fixtures";
import { CONTAINER, SKIP_UPSTREAM, TEMPLATE_SPEC, carrierOf, upstreamObject, workloadCarriers } from "./fixtures-workloads";

const daemonSet = () => carrierOf("DaemonSet");
const SECURITY = [...CONTAINER, "securityContext"];

describe("SEC-01 privileged workloads", () => {
    it("accepts every pod-template carrier without privileges, host namespaces or host paths", async () => {
        expect(await messagesOf(privilegedWorkloads, workloadCarriers())).toEqual([]);
    });

    it("rejects a privileged container", async () => {
        const bad = changed(daemonSet(), [...SECURITY, "privileged"], true);
        expect(await violationsOf(privilegedWorkloads, [bad])).toEqual([
            mandatoryViolation(
                { policy: "sec-01-privileged-workloads", id: "SEC-01" },
                bad,
                'Container "app" in DaemonSet "team-a/daemonset" runs privileged (securityContext.privileged: true); remove it and add only the capabilities the container needs.',
            ),
        ]);
    });

    it("rejects allowPrivilegeEscalation: true, init containers included", async () => {
        const bad = changed(daemonSet(), [...TEMPLATE_SPEC, "initContainers", 0, "securityContext", "allowPrivilegeEscalation"], true);
        expect(await messagesOf(privilegedWorkloads, [bad])).toEqual([
            'Init container "setup" in DaemonSet "team-a/daemonset" sets securityContext.allowPrivilegeEscalation: true; set it to false.',
        ]);
    });

    it.each([["SYS_ADMIN"], ["CAP_SYS_ADMIN"], ["sys_admin"]])("rejects the added capability %s", async (capability) => {
        const bad = changed(daemonSet(), [...SECURITY, "capabilities"], { add: [capability], drop: ["ALL"] });
        expect(await messagesOf(privilegedWorkloads, [bad])).toEqual([
            'Container "app" in DaemonSet "team-a/daemonset" adds capability SYS_ADMIN, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.',
        ]);
    });

    it("accepts the capabilities Pod Security baseline allows, and rejects the others", async () => {
        const bad = changed(daemonSet(), [...SECURITY, "capabilities"], { add: ["NET_BIND_SERVICE", "CHOWN", "NET_ADMIN", "ALL"] });
        expect(await messagesOf(privilegedWorkloads, [bad])).toEqual([
            'Container "app" in DaemonSet "team-a/daemonset" adds capability NET_ADMIN, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.',
            'Container "app" in DaemonSet "team-a/daemonset" adds capability ALL, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.',
        ]);
    });

    describe("Istio's init container (core/pod-security.ts)", () => {
        const deployment = () => carrierOf("Deployment");
        const INIT = [...TEMPLATE_SPEC, "initContainers"];
        const istioInit = (changes: Record<string, unknown> = {}) => ({
            name: "istio-init",
            image: "registry.example.com/mirror/istio/proxyv2:1.17.5",
            args: ["istio-iptables", "-p", "15001"],
            securityContext: { privileged: false, allowPrivilegeEscalation: false, capabilities: { add: ["NET_ADMIN", "NET_RAW"], drop: ["ALL"] } },
            ...changes,
        });
        const netAdmin = (noun: string) =>
            `${noun} "istio-init" in Deployment "team-a/deployment" adds capability NET_ADMIN, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.`;

        it("accepts NET_ADMIN and NET_RAW for istio-init as the sidecar injector writes it, from the proxy image in any registry", async () => {
            expect(await messagesOf(privilegedWorkloads, [changed(deployment(), INIT, [istioInit()])])).toEqual([]);
        });

        it.each([
            ["another image", { image: "attacker/toolbox:latest" }],
            ["a command of its own", { command: ["/bin/sh", "-c", "id"] }],
            ["another program first", { args: ["bash"] }],
        ])("rejects them for a container named istio-init with %s", async (_, changes) => {
            const impostor = istioInit({ ...changes, securityContext: { capabilities: { add: ["NET_ADMIN"] } } });
            expect(await messagesOf(privilegedWorkloads, [changed(deployment(), INIT, [impostor])])).toEqual([netAdmin("Init container")]);
        });

        it("rejects them for a regular container named istio-init", async () => {
            expect(
                await messagesOf(privilegedWorkloads, [changed(deployment(), [...TEMPLATE_SPEC, "containers"], [istioInit({ args: ["istio-iptables"] })])]),
            ).toEqual([
                netAdmin("Container"),
                'Container "istio-init" in Deployment "team-a/deployment" adds capability NET_RAW, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.',
            ]);
        });
    });

    it("rejects a hostPath volume", async () => {
        const bad = changed(
            daemonSet(),
            [...TEMPLATE_SPEC, "volumes"],
            [
                { name: "docker", hostPath: { path: "/var/run/docker.sock", type: "Socket" } },
                { name: "scratch", emptyDir: {} },
            ],
        );
        expect(await messagesOf(privilegedWorkloads, [bad])).toEqual([
            'DaemonSet "team-a/daemonset" mounts the host path "/var/run/docker.sock" (volume "docker"); use a PersistentVolumeClaim, ConfigMap or emptyDir instead.',
        ]);
    });

    it.each([
        ["hostNetwork", "the node's network namespace"],
        ["hostPID", "the node's process namespace"],
        ["hostIPC", "the node's IPC namespace"],
    ])("rejects %s: true", async (field, namespace) => {
        const bad = changed(daemonSet(), [...TEMPLATE_SPEC, field], true);
        expect(await messagesOf(privilegedWorkloads, [bad])).toEqual([`DaemonSet "team-a/daemonset" sets ${field}: true, sharing ${namespace}; remove it.`]);
    });

    describe("the rest of Pod Security baseline, at Kubernetes 1.30's allowed values (core/pod-security.ts)", () => {
        const POD_SECURITY = [...TEMPLATE_SPEC, "securityContext"];
        const ANNOTATIONS = ["props", "spec", "template", "metadata", "annotations"];
        const pod = 'DaemonSet "team-a/daemonset"';
        const app = `Container "app" in ${pod}`;

        it("accepts the values baseline allows: RuntimeDefault and Localhost profiles, container_t, Default /proc, a safe sysctl, hostPort 0", async () => {
            const allowed = [
                changed(daemonSet(), POD_SECURITY, {
                    seccompProfile: { type: "RuntimeDefault" },
                    appArmorProfile: { type: "Localhost", localhostProfile: "k8s-app" },
                    seLinuxOptions: { type: "container_t", level: "s0:c123,c456" },
                    windowsOptions: { hostProcess: false },
                    sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "600" }],
                }),
                changed(daemonSet(), SECURITY, {
                    privileged: false,
                    seccompProfile: { type: "Localhost", localhostProfile: "profiles/app.json" },
                    appArmorProfile: { type: "RuntimeDefault" },
                    seLinuxOptions: { type: "container_init_t", user: "", role: "" },
                    procMount: "Default",
                }),
                changed(daemonSet(), [...CONTAINER, "ports"], [{ containerPort: 8080, hostPort: 0 }]),
                changed(daemonSet(), ANNOTATIONS, {
                    "container.apparmor.security.beta.kubernetes.io/app": "localhost/k8s-app",
                    "container.apparmor.security.beta.kubernetes.io/setup": "runtime/default",
                }),
            ];
            expect(await messagesOf(privilegedWorkloads, allowed)).toEqual([]);
        });

        it.each([
            [
                "a host port",
                changed(daemonSet(), [...CONTAINER, "ports"], [{ containerPort: 8080, hostPort: 8080 }]),
                `${app} uses the host port 8080 (ports[].hostPort), beyond the Pod Security baseline; remove hostPort and reach the container through a Service.`,
            ],
            [
                "a Windows host process pod",
                changed(daemonSet(), POD_SECURITY, { windowsOptions: { hostProcess: true } }),
                `${pod} sets securityContext.windowsOptions.hostProcess: true, beyond the Pod Security baseline; remove it.`,
            ],
            [
                "a Windows host process container",
                changed(daemonSet(), [...SECURITY, "windowsOptions"], { hostProcess: true }),
                `${app} sets securityContext.windowsOptions.hostProcess: true, beyond the Pod Security baseline; remove it.`,
            ],
            [
                "an Unconfined AppArmor profile",
                changed(daemonSet(), [...SECURITY, "appArmorProfile"], { type: "Unconfined" }),
                `${app} sets securityContext.appArmorProfile.type: "Unconfined", beyond the Pod Security baseline; set it to RuntimeDefault or Localhost, or remove it.`,
            ],
            [
                "an unconfined AppArmor annotation",
                changed(daemonSet(), ANNOTATIONS, { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" }),
                `${pod} sets the annotation container.apparmor.security.beta.kubernetes.io/app: "unconfined", beyond the Pod Security baseline; use runtime/default or localhost/<profile>, or remove it.`,
            ],
            [
                "the SELinux type spc_t",
                changed(daemonSet(), POD_SECURITY, { seLinuxOptions: { type: "spc_t" } }),
                `${pod} sets securityContext.seLinuxOptions.type: "spc_t", beyond the Pod Security baseline; set it to container_t, container_init_t or container_kvm_t, or remove it.`,
            ],
            [
                "container_engine_t, which baseline allows only from Kubernetes 1.31",
                changed(daemonSet(), [...SECURITY, "seLinuxOptions"], { type: "container_engine_t" }),
                `${app} sets securityContext.seLinuxOptions.type: "container_engine_t", beyond the Pod Security baseline; set it to container_t, container_init_t or container_kvm_t, or remove it.`,
            ],
            [
                "an SELinux user",
                changed(daemonSet(), [...SECURITY, "seLinuxOptions"], { user: "system_u" }),
                `${app} sets securityContext.seLinuxOptions.user: "system_u", beyond the Pod Security baseline; remove it.`,
            ],
            [
                "an SELinux role",
                changed(daemonSet(), POD_SECURITY, { seLinuxOptions: { role: "system_r" } }),
                `${pod} sets securityContext.seLinuxOptions.role: "system_r", beyond the Pod Security baseline; remove it.`,
            ],
            [
                "an unmasked /proc",
                changed(daemonSet(), [...SECURITY, "procMount"], "Unmasked"),
                `${app} sets securityContext.procMount: "Unmasked", beyond the Pod Security baseline; set it to Default, or remove it.`,
            ],
            [
                "an Unconfined seccomp profile on the pod",
                changed(daemonSet(), POD_SECURITY, { seccompProfile: { type: "Unconfined" } }),
                `${pod} sets securityContext.seccompProfile.type: "Unconfined", beyond the Pod Security baseline; set it to RuntimeDefault or Localhost, or remove it.`,
            ],
            [
                "an Unconfined seccomp profile on an init container",
                changed(daemonSet(), [...TEMPLATE_SPEC, "initContainers", 0, "securityContext", "seccompProfile"], { type: "Unconfined" }),
                `Init container "setup" in ${pod} sets securityContext.seccompProfile.type: "Unconfined", beyond the Pod Security baseline; set it to RuntimeDefault or Localhost, or remove it.`,
            ],
            [
                "an unsafe sysctl",
                changed(daemonSet(), POD_SECURITY, { sysctls: [{ name: "kernel.msgmax", value: "65536" }] }),
                `${pod} sets the sysctl "kernel.msgmax" (securityContext.sysctls), beyond the Pod Security baseline's safe set; remove it.`,
            ],
        ])("rejects %s", async (_, bad, message) => {
            expect(await messagesOf(privilegedWorkloads, [bad])).toEqual([message]);
        });

        it("grants node-exporter's kube-rbac-proxy its host port only: another port is rejected", async () => {
            const exporter = changed(carrierOf("DaemonSet"), ["props", "metadata"], { name: "node-exporter", namespace: "monitoring" });
            const proxy = { name: "kube-rbac-proxy", image: "quay.io/brancz/kube-rbac-proxy:v0.19.1", securityContext: { privileged: false } };
            const bad = changed(
                changed(exporter, [...TEMPLATE_SPEC, "initContainers"], []),
                [...TEMPLATE_SPEC, "containers"],
                [
                    {
                        ...proxy,
                        ports: [
                            { containerPort: 9100, hostPort: 9100 },
                            { containerPort: 9101, hostPort: 9101 },
                        ],
                    },
                ],
            );
            expect(await messagesOf(privilegedWorkloads, [bad])).toEqual([
                'Container "kube-rbac-proxy" in DaemonSet "monitoring/node-exporter" uses the host port 9101 (ports[].hostPort), beyond the Pod Security baseline; remove hostPort and reach the container through a Service.',
            ]);
        });
    });

    it("accepts hostNetwork: false and an unset allowPrivilegeEscalation by default", async () => {
        const explicit = changed(changed(daemonSet(), [...TEMPLATE_SPEC, "hostNetwork"], false), [...SECURITY, "allowPrivilegeEscalation"], undefined);
        expect(await messagesOf(privilegedWorkloads, [explicit])).toEqual([]);
    });

    it("with requireNoEscalation, also rejects a container that leaves allowPrivilegeEscalation unset", async () => {
        const unset = changed(daemonSet(), [...SECURITY, "allowPrivilegeEscalation"], undefined);
        expect(await messagesOf(privilegedWorkloads, [unset], { "sec-01-privileged-workloads": { requireNoEscalation: true } })).toEqual([
            'Container "app" in DaemonSet "team-a/daemonset" leaves securityContext.allowPrivilegeEscalation unset, which Kubernetes treats as allowed; set it to false.',
        ]);
        expect(await messagesOf(privilegedWorkloads, [daemonSet()], { "sec-01-privileged-workloads": { requireNoEscalation: true } })).toEqual([]);
    });

    it("finds privileged containers in every carrier: CronJob, PyTorchJob replicas and InferenceService predictors too", async () => {
        const bad = workloadCarriers().map(
            (carrier) => JSON.parse(JSON.stringify(carrier).replaceAll('"privileged":false', '"privileged":true')) as typeof carrier,
        );
        const messages = await messagesOf(privilegedWorkloads, bad);
        expect(kindsNamedIn(messages)).toEqual([...[...WORKLOAD_KINDS, "PyTorchJob"].flatMap((kind) => [kind, kind]), "InferenceService"]);
    });

    describe("the exemption list", () => {
        it("names, for each entry, an exact identity, at least one image and a reason for every grant", () => {
            for (const exemption of EXEMPTIONS) {
                expect(exemption.identity.names.length).toBeGreaterThan(0);
                expect(exemption.identity.namespaces.length).toBeGreaterThan(0);
                expect(exemption.identity.images.length).toBeGreaterThan(0);
                for (const grant of exemption.grants) expect(grant.reason.length).toBeGreaterThan(40);
            }
        });
    });

    describe.skipIf(SKIP_UPSTREAM)("node agents as upstream ships them", () => {
        const devicePlugin = () => upstreamObject("nvidia-device-plugin-v0.20.0/nvidia-device-plugin.yml", "DaemonSet", "nvidia-device-plugin-daemonset");
        const nodeExporter = () => upstreamObject("kube-prometheus-v0.16.0/nodeExporter-daemonset.yaml", "DaemonSet", "node-exporter");
        /** dcgm-exporter ships without a namespace: kfstack installs it in monitoring. */
        const dcgmExporter = () =>
            changed(
                upstreamObject("dcgm-exporter-4.5.3-4.8.2/dcgm-exporter.yaml", "DaemonSet", "dcgm-exporter"),
                ["props", "metadata", "namespace"],
                "monitoring",
            );

        it("accepts the NVIDIA device plugin, the DCGM exporter and the node exporter", async () => {
            expect(await messagesOf(privilegedWorkloads, [devicePlugin(), dcgmExporter(), nodeExporter()])).toEqual([]);
        });

        it("still accepts them with their images served from a mirror", async () => {
            const mirrored = changed(
                devicePlugin(),
                [...TEMPLATE_SPEC, "containers", 0, "image"],
                "registry.internal.example.com/kubeflow/nvcr.io/nvidia/k8s-device-plugin:v0.20.0",
            );
            expect(await messagesOf(privilegedWorkloads, [mirrored])).toEqual([]);
        });

        it("grants only what the entry names: another host path of the device plugin is rejected", async () => {
            const extra = changed(devicePlugin(), [...TEMPLATE_SPEC, "volumes", 1], { name: "root", hostPath: { path: "/" } });
            expect(await messagesOf(privilegedWorkloads, [extra])).toEqual([
                'DaemonSet "kube-system/nvidia-device-plugin-daemonset" mounts the host path "/" (volume "root"); use a PersistentVolumeClaim, ConfigMap or emptyDir instead.',
            ]);
        });

        it("exempts nothing when the identity differs: another namespace, or another image", async () => {
            const moved = changed(dcgmExporter(), ["props", "metadata", "namespace"], "team-a");
            const otherImage = changed(nodeExporter(), [...TEMPLATE_SPEC, "containers", 1, "image"], "docker.io/library/busybox:1.36");
            expect(await messagesOf(privilegedWorkloads, [moved, otherImage])).toEqual([
                'DaemonSet "team-a/dcgm-exporter" mounts the host path "/var/lib/kubelet/pod-resources" (volume "pod-gpu-resources"); use a PersistentVolumeClaim, ConfigMap or emptyDir instead.',
                'Container "dcgm-exporter" in DaemonSet "team-a/dcgm-exporter" adds capability SYS_ADMIN, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.',
                'DaemonSet "monitoring/node-exporter" sets hostNetwork: true, sharing the node\'s network namespace; remove it.',
                'DaemonSet "monitoring/node-exporter" sets hostPID: true, sharing the node\'s process namespace; remove it.',
                'DaemonSet "monitoring/node-exporter" mounts the host path "/sys" (volume "sys"); use a PersistentVolumeClaim, ConfigMap or emptyDir instead.',
                'DaemonSet "monitoring/node-exporter" mounts the host path "/" (volume "root"); use a PersistentVolumeClaim, ConfigMap or emptyDir instead.',
                'Container "node-exporter" in DaemonSet "monitoring/node-exporter" adds capability SYS_TIME, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.',
                'Container "kube-rbac-proxy" in DaemonSet "monitoring/node-exporter" uses the host port 9100 (ports[].hostPort), beyond the Pod Security baseline; remove hostPort and reach the container through a Service.',
            ]);
        });

        it("grants a capability to the named container only", async () => {
            const moved = changed(nodeExporter(), [...TEMPLATE_SPEC, "containers", 1, "securityContext", "capabilities", "add"], ["SYS_TIME"]);
            expect(await messagesOf(privilegedWorkloads, [moved])).toEqual([
                'Container "kube-rbac-proxy" in DaemonSet "monitoring/node-exporter" adds capability SYS_TIME, beyond the Pod Security baseline; remove it from securityContext.capabilities.add.',
            ]);
        });
    });

    it("is undecided, not failed, when a security context is unknown during preview", async () => {
        const unknown = changed(daemonSet(), SECURITY, Unknown.instance);
        expect((await undecidedOf(privilegedWorkloads, [unknown])).map((entry) => entry.reason)).toEqual([
            "string value at .spec.template.spec.containers.0.securityContext can't be known during preview",
        ]);
    });
});
