// The kfstack policy pack: `pulumi preview --policy-pack policies`. This file
// only constructs the PolicyPack (constructing it starts the analyzer server);
// the policies live in their own modules, which the tests and
// `npm run check` import without starting a server.
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./all";

new PolicyPack("kfstack", { policies: [...ALL_POLICIES] });
