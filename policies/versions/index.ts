// Policies on the versions a stack installs, and on what its next install would fight over.
import type { KfstackPolicy } from "../lib/policy";
import { controllerOwnedFields } from "./drift-01-controller-owned-fields";
import { trainingOperatorVersion } from "./ver-01-training-operator";
import { bomImages } from "./ver-02-bom-images";
import { kubernetesWindow } from "./ver-03-kubernetes-window";

export const VERSION_POLICIES: readonly KfstackPolicy[] = [trainingOperatorVersion, bomImages, kubernetesWindow, controllerOwnedFields];
