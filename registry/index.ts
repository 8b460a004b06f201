// Entry point for `pulumi up` in registry/: the program lives in
// components/registry/registry-program.ts so that the offline engine and the
// tests run exactly the same code.
import { registryProgram } from "../components/registry/registry-program";

export = registryProgram;
