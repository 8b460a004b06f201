// Entry point for `pulumi up` in mirror/: the program lives in
// components/mirror/program.ts so that the offline engine and the tests run
// exactly the same code.
import { mirrorProgram } from "../components/mirror/program";

export = mirrorProgram;
