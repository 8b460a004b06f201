// The kfstack policy pack. This file only constructs the PolicyPack
// (constructing it starts the analyzer server); the policies live in their own
// modules so tests can import them without starting a server. The policies
// themselves arrive with the policy-pack issue.
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("kfstack", { policies: [] });
