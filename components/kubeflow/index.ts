// Kubeflow, pinned by a bill of materials: every rendered upstream object
// becomes its own Pulumi resource, changed the way kfstack requires (no
// default credentials, memory limits everywhere, exposure by stack) and
// ordered by its real dependencies instead of an apply-until-it-works loop.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { KubeflowFacts } from "../../core/facts";
import type { Bom, BomComponent } from "../bom/schema";
import type { IdentityConfig } from "../config/schema";
import { assertServed } from "./api-removals";
import { type Credentials, type GatewaySettings, addGatewayTls, applyContainerResources, assertUnique, exposeGateway, narrowTenantRoles, replaceDefaultCredentials } from "./customize";
import { clearClusterScopedNamespaces } from "../../core/kinds";
import { KubernetesObjectResource } from "./kubernetes-object";
import { readComponent } from "./manifests";
import { type KubernetesObject, objectKey } from "../../core/objects";
import { planInstall } from "./ordering";
import { type Mirror, entriesAtMirror } from "../images/rewrite";

export interface KubeflowArgs {
    bom: Bom;
    /** The BOM's Kubeflow-layer components this stack installs (components/config/install.ts). */
    components: BomComponent[];
    /** What the policy pack reads about this install; registered as the component's inputs. */
    facts: KubeflowFacts;
    /** Directory of rendered manifests, checked against the BOM. */
    manifestsDir: string;
    identity: IdentityConfig;
    kubernetesVersion: string;
    cloud: "aws" | "gcp" | "existing";
    gateway: GatewaySettings;
    /** Air-gapped: every image reference is rewritten to this mirror, pinned to the lock's digests. */
    mirror?: Mirror;
}

/** The components of a BOM that a stack installs, each with its objects as kfstack changes them. */
export function installedObjects(args: KubeflowArgs, credentials: Credentials): { component: BomComponent; object: KubernetesObject }[] {
    const entries = args.components
        .flatMap((component) => {
            const objects = readComponent(args.manifestsDir, args.bom, component);
            clearClusterScopedNamespaces(objects);
            applyContainerResources(component, objects);
            return objects.map((object) => ({ component, object }));
        });
    const objects = entries.map((entry) => entry.object);
    assertUnique(entries.map(({ object, component }) => ({ object, component: component.name })));
    narrowTenantRoles(objects);
    replaceDefaultCredentials(objects, args.identity, credentials);
    exposeGateway(objects, args.gateway.exposure, args.cloud);
    const certificate = addGatewayTls(objects, args.gateway);
    const gatewayComponent = entries.find(({ object }) => object.kind === "Gateway" && object.metadata.name === "kubeflow-gateway")!.component;
    entries.push({ component: gatewayComponent, object: certificate });
    objects.push(certificate);
    assertServed(objects, args.kubernetesVersion, args.bom.release);
    // Last, so references kfstack itself wrote are rewritten too.
    return entriesAtMirror(entries, args.mirror);
}

export class Kubeflow extends pulumi.ComponentResource {
    /** The objects installed, in install order, as kfstack changed them. */
    readonly installed: KubernetesObject[];
    /** objectKey → the resource of that object. */
    readonly objects: Map<string, KubernetesObjectResource>;
    /** Dependencies between webhooks and what they admit that were left out to avoid cycles. */
    readonly brokenCycles: { from: string; on: string; reason: string }[];

    constructor(name: string, args: KubeflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kfstack:kubeflow:Kubeflow", name, args.facts, opts);
        const generated = (role: string) => new random.RandomPassword(`${name}-${role}`, { length: 32, special: false }, { parent: this }).result;
        const credentials: Credentials = {
            oidcClientSecret: generated("oidc-client-secret"),
            minioAccessKey: generated("minio-access-key"),
            minioSecretKey: generated("minio-secret-key"),
            katibMysqlPassword: generated("katib-mysql-password"),
            identitySecret: pulumi.secret(args.identity.staticAdmin?.passwordHash ?? args.identity.oidc?.clientSecret ?? ""),
        };

        const entries = installedObjects(args, credentials);
        const componentOf = new Map(entries.map(({ object, component }) => [objectKey(object), component.name]));
        const groups = new Map(
            args.components
                .map((component) => [component.name, new BomComponentGroup(`${name}-${component.name}`, { component }, { parent: this })]),
        );

        const plan = planInstall(entries.map((entry) => entry.object));
        this.brokenCycles = plan.brokenCycles;
        this.installed = plan.order;
        this.objects = new Map();
        for (const object of plan.order) {
            const key = objectKey(object);
            const dependsOn = (plan.dependencies.get(key) ?? []).map((dependency) => this.objects.get(dependency.on)!);
            this.objects.set(key, new KubernetesObjectResource(object, { parent: groups.get(componentOf.get(key)!), dependsOn }));
        }

        this.registerOutputs({ release: args.bom.release, objects: this.objects.size });
    }
}

export interface BomComponentGroupArgs {
    component: BomComponent;
}

/** Groups the objects of one BOM component, so plans and previews read by component (kfstack:<layer>:Component). */
export class BomComponentGroup extends pulumi.ComponentResource {
    constructor(name: string, args: BomComponentGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`kfstack:${args.component.layer}:Component`, name, { version: args.component.version, source: args.component.source }, opts);
        this.registerOutputs({});
    }
}
