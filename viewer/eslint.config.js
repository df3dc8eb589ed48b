import js from "@eslint/js";
import globals from "globals";

export default [
  // The live page's bundle (built from viewer/src/live.js by esbuild), not a source.
  { ignores: ["src/pasdeux/serve/static/*.bundle.js"] },
  js.configs.recommended,
  {
    files: ["src/**/*.js", "viewer/src/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.browser,
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used" }],
      "prefer-const": "error",
      eqeqeq: ["error", "smart"],
      "max-lines-per-function": ["warn", { max: 90, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The page of `pasdeux serve` (a classic script shipped as package data); linted when
    // eslint runs from the repository's root (`make viewer-lint`).
    files: ["src/pasdeux/serve/static/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: globals.browser,
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used" }],
      "prefer-const": "error",
      eqeqeq: ["error", "smart"],
    },
  },
];
