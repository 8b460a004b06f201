// Lint rules for the whole tree: ESLint's and typescript-eslint's recommended sets, checked with type
// information, and the house sizes (files under 400 lines; functions under 80 outside the tests).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "policies/node_modules/", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            "max-lines": ["error", { max: 400 }],
            "max-lines-per-function": ["error", { max: 80, IIFEs: true }],
            "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true }],
        },
    },
    {
        // Tests read CLI output and fixtures through JSON.parse, and fake the SDK's async interfaces with plain values.
        files: ["test/**/*.ts"],
        rules: {
            "max-lines-per-function": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/require-await": "off",
            "@typescript-eslint/unbound-method": "off",
        },
    },
);
