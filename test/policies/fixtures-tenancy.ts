// Fixture factories for the tenancy policies: two tenants (Kubeflow Profiles
// team-a, owned by alice, and team-b, owned by bob) with everything the
// tenancy policies ask for. Each factory is compliant; a failing fixture
// changes one field of the list with `changed([...], [at(...), "props", ...], value)`.
import type { PolicyRecord } from "../../engine/policy-check";
import { record } from "./fixtures";

type Props = Record<string, unknown>;

const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";

export const OWNERS = { "team-a": "alice@example.com", "team-b": "bob@example.com" } as const;

export function profile(name: string, owner: string): PolicyRecord {
    return record("kubernetes:kubeflow.org/v1:Profile", {
        apiVersion: "kubeflow.org/v1",
        kind: "Profile",
        metadata: { name },
        spec: {
            owner: { kind: "User", name: owner },
            resourceQuotaSpec: { hard: { cpu: "32", memory: "128Gi", "limits.memory": "128Gi", pods: "200", "requests.nvidia.com/gpu": "4" } },
        },
    });
}

/** A tenant namespace without a Profile in the stack: labelled and annotated as the profile controller does. */
export function tenantNamespace(name: string, owner: string): PolicyRecord {
    return record("kubernetes:core/v1:Namespace", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "app.kubernetes.io/part-of": "kubeflow-profile" }, annotations: { owner } },
    });
}

export function namespace(name: string, labels: Record<string, string> = {}): PolicyRecord {
    return record("kubernetes:core/v1:Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
}

export function limitRange(namespace: string): PolicyRecord {
    return record("kubernetes:core/v1:LimitRange", {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: { name: "defaults", namespace },
        spec: {
            limits: [{ type: "Container", default: { memory: "2Gi" }, defaultRequest: { cpu: "100m", memory: "512Mi" }, max: { memory: "64Gi", cpu: "16" } }],
        },
    });
}

export function resourceQuota(namespace: string, hard: Props = { "requests.nvidia.com/gpu": "2", "limits.memory": "64Gi", pods: "100" }): PolicyRecord {
    return record("kubernetes:core/v1:ResourceQuota", { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute", namespace }, spec: { hard } });
}

function networkPolicy(namespace: string, name: string, spec: Props): PolicyRecord {
    return record("kubernetes:networking.k8s.io/v1:NetworkPolicy", {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace },
        spec,
    });
}

export function defaultDeny(namespace: string): PolicyRecord {
    return networkPolicy(namespace, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
}

export function allowDns(namespace: string): PolicyRecord {
    return networkPolicy(namespace, "allow-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    });
}

export function allowObjectStorage(namespace: string): PolicyRecord {
    return networkPolicy(namespace, "allow-object-storage", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kubeflow" } }, podSelector: { matchLabels: { app: "minio" } } }],
                ports: [{ protocol: "TCP", port: 9000 }],
            },
        ],
    });
}

/** Egress to the platform services Kubeflow needs: istiod, Pipelines API, ML Metadata and Katib's DB manager, one rule each. */
export function allowPlatformServices(namespace: string): PolicyRecord {
    const rule = (to: string, labels: Record<string, string>, ports: number[]) => ({
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": to } }, podSelector: { matchLabels: labels } }],
        ports: ports.map((port) => ({ protocol: "TCP", port })),
    });
    return networkPolicy(namespace, "allow-platform-services", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            rule("istio-system", { app: "istiod" }, [15012, 15017]),
            rule("kubeflow", { app: "ml-pipeline" }, [8888, 8887]),
            rule("kubeflow", { component: "metadata-grpc-server" }, [8080]),
            rule("kubeflow", { "katib.kubeflow.org/component": "db-manager" }, [6789]),
        ],
    });
}

export function clusterRole(name: string, rules: Props[], labels: Record<string, string> = {}, aggregateFrom?: string): PolicyRecord {
    return record(`${RBAC}:ClusterRole`, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name, labels },
        ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: "true" } }] } } : {}),
        rules,
    });
}

export function role(namespace: string, name: string, rules: Props[]): PolicyRecord {
    return record(`${RBAC}:Role`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace }, rules });
}

export function roleBinding(namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: Props[]): PolicyRecord {
    return record(`${RBAC}:RoleBinding`, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
        subjects,
    });
}

export function clusterRoleBinding(name: string, roleName: string, subjects: Props[]): PolicyRecord {
    return record(`${RBAC}:ClusterRoleBinding`, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
        subjects,
    });
}

export function service(namespace: string, name: string, type: string, annotations?: Record<string, string>): PolicyRecord {
    return record("kubernetes:core/v1:Service", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
        spec: { type, selector: { app: name }, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP" }] },
    });
}

const aggregateTo = (role: string) => `rbac.authorization.kubeflow.org/aggregate-to-kubeflow-${role}`;

/**
 * The Kubeflow tenant roles as upstream builds them, with explicit verbs and
 * resources: kubeflow-admin ⊃ kubeflow-edit ⊃ kubeflow-view by aggregation,
 * each with one source role; plus a platform ClusterRole only a controller
 * holds, which uses wildcards and is no tenant role.
 */
export function kubeflowRoles(): PolicyRecord[] {
    return [
        clusterRole("kubeflow-admin", [], {}, aggregateTo("admin")),
        clusterRole("kubeflow-edit", [], { [aggregateTo("admin")]: "true" }, aggregateTo("edit")),
        clusterRole("kubeflow-view", [], { [aggregateTo("edit")]: "true" }, aggregateTo("view")),
        clusterRole(
            "kubeflow-kubernetes-admin",
            [
                {
                    apiGroups: ["rbac.authorization.k8s.io"],
                    resources: ["rolebindings", "roles"],
                    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
                },
            ],
            {
                [aggregateTo("admin")]: "true",
            },
        ),
        clusterRole(
            "kubeflow-pipelines-edit",
            [{ apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] }],
            {
                [aggregateTo("edit")]: "true",
            },
        ),
        clusterRole("kubeflow-kubernetes-view", [{ apiGroups: [""], resources: ["pods", "pods/log", "services"], verbs: ["get", "list", "watch"] }], {
            [aggregateTo("view")]: "true",
        }),
        clusterRole("ml-pipeline", [{ apiGroups: ["argoproj.io"], resources: ["*"], verbs: ["*"] }]),
    ];
}

/** Two compliant tenants, team-a and team-b, with the Kubeflow roles and a contributor of team-a. */
export function twoTenants(): PolicyRecord[] {
    return [
        ...kubeflowRoles(),
        ...(["team-a", "team-b"] as const).flatMap((name) => [
            profile(name, OWNERS[name]),
            limitRange(name),
            defaultDeny(name),
            allowDns(name),
            allowObjectStorage(name),
        ]),
        role("team-a", "notebook-reader", [{ apiGroups: ["kubeflow.org"], resources: ["notebooks"], verbs: ["get", "list", "watch"] }]),
        roleBinding("team-a", "user-carol-example-com-clusterrole-edit", { kind: "ClusterRole", name: "kubeflow-edit" }, [
            { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "carol@example.com" },
        ]),
        roleBinding("team-a", "notebook-reader", { kind: "Role", name: "notebook-reader" }, [
            { kind: "ServiceAccount", name: "default-editor", namespace: "team-a" },
        ]),
    ];
}

/** The index of the record of `type` (its Kind, e.g. "NetworkPolicy") named `name` ("team-a/default-deny"). */
export function at(records: PolicyRecord[], kind: string, name: string): number {
    const index = records.findIndex((candidate) => candidate.type.endsWith(`:${kind}`) && candidate.name === name);
    if (index < 0) throw new Error(`no ${kind} ${name} in the fixture`);
    return index;
}
