// Preloaded by test/cli-startup.test.ts into a CLI process (`node --import`): at exit it writes
// every file the process loaded as a module, CommonJS or ES, to $KFSTACK_LOADED_MODULES as JSON.
import { writeFileSync } from "node:fs";
import { createRequire, registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

const loaded = new Set();
registerHooks({
    load(url, context, next) {
        if (url.startsWith("file:")) loaded.add(fileURLToPath(url));
        return next(url, context);
    },
});
const require = createRequire(import.meta.url);
process.on("exit", () => {
    for (const file of Object.keys(require.cache)) loaded.add(file);
    writeFileSync(process.env.KFSTACK_LOADED_MODULES, JSON.stringify([...loaded]));
});
