// Entry point for `pulumi up`: the program lives in components/platform.ts so
// that the offline engine (`npm run plan`, the tests) runs exactly the same code.
import { platformProgram } from "./components/platform";

export = platformProgram();
