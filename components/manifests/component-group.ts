// The component resource a BOM component's objects are children of.
import * as pulumi from "@pulumi/pulumi";
import type { BomComponent } from "../bom/schema";

export interface BomComponentGroupArgs {
    readonly component: BomComponent;
}

/** Groups the objects of one BOM component, so plans and previews read by component (kfstack:<layer>:Component). */
export class BomComponentGroup extends pulumi.ComponentResource {
    constructor(name: string, args: BomComponentGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`kfstack:${args.component.layer}:Component`, name, { version: args.component.version, source: args.component.source }, opts);
        this.registerOutputs({});
    }
}
