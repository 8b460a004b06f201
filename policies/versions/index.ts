// Policies on the versions a stack installs.
import type { KfstackPolicy } from "../lib/policy";
import { trainingOperatorVersion } from "./ver-01-training-operator";

export const VERSION_POLICIES: readonly KfstackPolicy[] = [trainingOperatorVersion];
