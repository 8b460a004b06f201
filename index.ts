// Entry point for `pulumi up`: the program lives in components/platform.ts so
// that the offline engine (`npm run plan`, the tests) runs exactly the same code.
// The Node version check comes first, before anything that might need Node 22.
import "./components/node-version";
import { platformProgram } from "./components/platform";

export = platformProgram();
