// The offline engine on small programs whose every resource is known: what it
// records, how it treats unknowns and secrets, and how it fails.
import * as pulumi from "@pulumi/pulumi";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { describe, expect, it } from "vitest";
import { OfflineRunError, runOffline } from "../engine/offline";
import { Secret, Unknown } from "../engine/values";

const settings = (config: Record<string, string> = {}, secretKeys: string[] = []) => ({ project: "demo", stack: "test", config, secretKeys });

class Widget extends pulumi.CustomResource {
    declare readonly arn: pulumi.Output<string>;
    constructor(name: string, props: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
        super("demo:index:Widget", name, { ...props, arn: undefined }, opts);
    }
}

class AwsProvider extends pulumi.ProviderResource {
    constructor(name: string, props: Record<string, pulumi.Input<unknown>>) {
        super("aws", name, props);
    }
}

class Gadget extends pulumi.ComponentResource {
    readonly first: Widget;
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("demo:index:Gadget", name, {}, opts);
        this.first = new Widget(`${name}-first`, { size: 1 }, { parent: this });
        const explicit = new Widget(`${name}-explicit`, { size: 2 }, { parent: this });
        new Widget(`${name}-second`, { size: 3, other: this.first.arn }, { parent: this, dependsOn: [explicit] });
        this.registerOutputs({});
    }
}

describe("offline engine", () => {
    it("records urn, type, name, parent, explicit and property dependencies, and inputs", async () => {
        const run = await runOffline(async () => {
            new Gadget("gadget");
            return {};
        }, settings());
        expect(
            run.resources.map(({ urn, type, name, parent, dependsOn, provider, inputs }) => ({ urn, type, name, parent, dependsOn, provider, inputs })),
        ).toEqual([
            {
                urn: "urn:pulumi:test::demo::pulumi:pulumi:Stack::demo-test",
                type: "pulumi:pulumi:Stack",
                name: "demo-test",
                parent: null,
                dependsOn: [],
                provider: null,
                inputs: {},
            },
            {
                urn: "urn:pulumi:test::demo::demo:index:Gadget::gadget",
                type: "demo:index:Gadget",
                name: "gadget",
                parent: "urn:pulumi:test::demo::pulumi:pulumi:Stack::demo-test",
                dependsOn: [],
                provider: null,
                inputs: {},
            },
            {
                urn: "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-first",
                type: "demo:index:Widget",
                name: "gadget-first",
                parent: "urn:pulumi:test::demo::demo:index:Gadget::gadget",
                dependsOn: [],
                provider: null,
                inputs: { size: 1 },
            },
            {
                urn: "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-explicit",
                type: "demo:index:Widget",
                name: "gadget-explicit",
                parent: "urn:pulumi:test::demo::demo:index:Gadget::gadget",
                dependsOn: [],
                provider: null,
                inputs: { size: 2 },
            },
            {
                urn: "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-second",
                type: "demo:index:Widget",
                name: "gadget-second",
                parent: "urn:pulumi:test::demo::demo:index:Gadget::gadget",
                dependsOn: [
                    "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-explicit",
                    "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-first",
                ],
                provider: null,
                inputs: { size: 3, other: Unknown.instance },
            },
        ]);
    });

    it("keeps outputs the mocks cannot know unknown, skips applies on them and still finishes", async () => {
        let applied = false;
        const run = await runOffline(async () => {
            const widget = new Widget("w", {});
            const derived = widget.arn.apply((arn) => {
                applied = true;
                return `${arn}/child`;
            });
            new Widget("child", { parentArn: derived, widgetId: widget.id });
            return { arn: widget.arn, derived };
        }, settings());
        expect(applied).toBe(false);
        expect(run.resources.find((resource) => resource.name === "child")!.inputs).toEqual({ parentArn: Unknown.instance, widgetId: Unknown.instance });
        expect(run.outputs).toEqual({ arn: Unknown.instance, derived: Unknown.instance });
        expect(JSON.stringify(run.outputs)).toBe('{"arn":"[unknown]","derived":"[unknown]"}');
    });

    it("records a read with the id it reads, its parent, provider and dependencies, and keeps its outputs unknown", async () => {
        let arn: unknown = "not applied";
        const run = await runOffline(async () => {
            const provider = new AwsProvider("aws", { region: "us-east-1" });
            const gadget = new Gadget("gadget");
            const existing = new Widget("existing", {}, { id: "widget-1234", parent: gadget, provider, dependsOn: [gadget.first] });
            existing.arn.apply((value) => (arn = value));
            new Widget("after", { size: 4 }, { dependsOn: [existing] });
            return {};
        }, settings());
        const byName = (name: string) => run.resources.find((resource) => resource.name === name)!;
        expect(byName("existing")).toEqual({
            urn: "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::existing",
            type: "demo:index:Widget",
            name: "existing",
            parent: "urn:pulumi:test::demo::demo:index:Gadget::gadget",
            dependsOn: ["urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-first"],
            provider: "urn:pulumi:test::demo::pulumi:providers:aws::aws",
            custom: true,
            inputs: {},
            read: { id: "widget-1234" },
            options: {
                protect: false,
                retainOnDelete: false,
                ignoreChanges: [],
                deleteBeforeReplace: false,
                replaceOnChanges: [],
                dependsOn: ["urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-first"],
            },
        });
        expect(byName("after").read).toBeUndefined();
        expect(byName("after").dependsOn).toEqual(["urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::existing"]);
        expect(arn).toBe("not applied");
    });

    it("records the options that decide day 2 as the registration carries them, and the explicit dependsOn apart from the inputs", async () => {
        const run = await runOffline(async () => {
            const gadget = new Gadget("gadget");
            const first = new Widget("first", {});
            new Widget(
                "kept",
                { other: first.arn },
                {
                    protect: true,
                    retainOnDelete: true,
                    ignoreChanges: ["webhooks[*].clientConfig.caBundle", "size"],
                    deleteBeforeReplace: true,
                    replaceOnChanges: ["spec.selector"],
                    dependsOn: [gadget],
                },
            );
            return {};
        }, settings());
        const byName = (name: string) => run.resources.find((resource) => resource.name === name)!;
        expect(byName("kept").options).toEqual({
            protect: true,
            retainOnDelete: true,
            ignoreChanges: ["webhooks[*].clientConfig.caBundle", "size"],
            deleteBeforeReplace: true,
            replaceOnChanges: ["spec.selector"],
            // The component's resources, as the SDK expands a component in dependsOn; `first` is an input's dependency.
            dependsOn: [
                "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-explicit",
                "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-first",
                "urn:pulumi:test::demo::demo:index:Gadget$demo:index:Widget::gadget-second",
            ],
        });
        expect(byName("kept").dependsOn).toContain("urn:pulumi:test::demo::demo:index:Widget::first");
        expect(byName("first").options).toEqual({
            protect: false,
            retainOnDelete: false,
            ignoreChanges: [],
            deleteBeforeReplace: false,
            replaceOnChanges: [],
            dependsOn: [],
        });
    });

    it("records the explicit provider of a resource by its URN", async () => {
        class DemoProvider extends pulumi.ProviderResource {
            constructor(name: string) {
                super("demo", name, { region: "moon-1" });
            }
        }
        const run = await runOffline(async () => {
            new Widget("w", {}, { provider: new DemoProvider("p") });
            return {};
        }, settings());
        expect(run.resources.find((resource) => resource.name === "w")!.provider).toBe("urn:pulumi:test::demo::pulumi:providers:demo::p");
    });

    it("passes secret config as a marked placeholder and never writes a secret value out", async () => {
        const run = await runOffline(
            async () => {
                const password = new pulumi.Config("demo").requireSecret("password");
                new Widget("w", { password });
                return { password };
            },
            settings({ "demo:password": "[secret demo:password]" }, ["demo:password"]),
        );
        const inputs = run.resources.find((resource) => resource.name === "w")!.inputs;
        expect(inputs.password).toEqual(new Secret("[secret demo:password]"));
        expect(JSON.stringify(inputs)).toBe('{"password":"[secret]"}');
        expect(JSON.stringify(run.outputs)).toBe('{"password":"[secret]"}');
    });

    it("fails a program that calls an invoke, naming the function", async () => {
        const failure = runOffline(async () => {
            await pulumi.runtime.invoke("demo:index:getThing", {});
            return {};
        }, settings());
        await expect(failure).rejects.toThrow(
            "The program called demo:index:getThing, which the offline engine cannot answer; derive the value from configuration instead.",
        );
    });

    it("answers getCallerIdentity with the offline deployer, in the partition of the provider's region", async () => {
        const run = await runOffline(async () => {
            const provider = new AwsProvider("gov", { region: "us-gov-west-1" });
            const viaProvider = await pulumi.runtime.invoke("aws:index/getCallerIdentity:getCallerIdentity", {}, { provider });
            const viaDefault = await pulumi.runtime.invoke("aws:index/getCallerIdentity:getCallerIdentity", {});
            return { viaProvider: viaProvider.arn as string, viaDefault: viaDefault.arn as string, account: viaDefault.accountId as string };
        }, settings());
        expect(run.outputs).toEqual({
            viaProvider: "arn:aws-us-gov:sts::123456789012:assumed-role/kfstack-offline-deployer/kfstack-offline",
            viaDefault: "arn:aws:sts::123456789012:assumed-role/kfstack-offline-deployer/kfstack-offline",
            account: "123456789012",
        });
        expect(run.invokes).toEqual(["aws:index/getCallerIdentity:getCallerIdentity", "aws:index/getCallerIdentity:getCallerIdentity"]);
    });

    it("reports a failing program with the resources it registered before failing", async () => {
        const failure = await runOffline(async () => {
            new Widget("before", {});
            throw new Error("broken program");
        }, settings()).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(OfflineRunError);
        expect((failure as OfflineRunError).message).toBe("broken program");
        expect((failure as OfflineRunError).resources.map((resource) => resource.name)).toEqual(["demo-test", "before"]);
    });

    it("gives the same record on a second run in the same process", async () => {
        const program = async () => {
            new Gadget("g");
            return { answer: 42 };
        };
        const first = await runOffline(program, settings());
        const second = await runOffline(program, settings());
        expect(second).toEqual(first);
        expect(second.outputs).toEqual({ answer: 42 });
    });

    it("runs programs started at once one after the other, each recording only its own stack and resources", async () => {
        const program = (name: string) => async () => {
            new Widget(name, {});
            await new Promise((resolve) => setTimeout(resolve, 20));
            new Widget(`${name}-after`, {});
            return { stack: pulumi.getStack() };
        };
        const [one, two] = await Promise.all([
            runOffline(program("one"), { ...settings(), stack: "first" }),
            runOffline(program("two"), { ...settings(), stack: "second" }),
        ]);
        expect(one.resources.map((resource) => resource.name)).toEqual(["demo-first", "one", "one-after"]);
        expect(two.resources.map((resource) => resource.name)).toEqual(["demo-second", "two", "two-after"]);
        expect([one.outputs, two.outputs]).toEqual([{ stack: "first" }, { stack: "second" }]);
    });

    it("gives the real protobuf conversion back after a run, failed runs included", async () => {
        const real = Struct.fromJavaScript;
        await runOffline(async () => ({ answer: 42 }), settings());
        await runOffline(async () => {
            throw new Error("broken program");
        }, settings()).catch(() => undefined);
        expect(Struct.fromJavaScript).toBe(real);
        expect(Struct.fromJavaScript({ a: [1, "b"] }).toJavaScript()).toEqual({ a: [1, "b"] });
    });
});
