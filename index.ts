// Entry point for `pulumi up`: the program lives in components/program.ts so
// that the offline engine (`npm run plan`, the tests) runs exactly the same code.
import { stackProgram } from "./components/program";

export = stackProgram;
