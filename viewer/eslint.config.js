import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["src/**/*.js"],
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
];
