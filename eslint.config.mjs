// ESLint: typescript-eslint's type-checked recommended rules, plus the layering rules of
// the architecture (doors → commands → services → infra; the emulator stays outside the core).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** `no-restricted-imports` patterns forbidding a layer to import others. */
const forbid = (...groups) => ({
  "no-restricted-imports": ["error", { patterns: groups.map(([group, message]) => ({ group, message })) }],
});

const EMULATOR = ["**/emulator", "**/emulator/**"];
const emulatorRule = [EMULATOR, "The core never imports the Tencent emulator: only the process entry (src/launch.ts) and tests do."];

export default tseslint.config(
  { ignores: ["dist/**", ".bench-base/**", "src/generated/**", "coverage/**", "node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/http/**/*.ts"],
    rules: forbid([["**/infra/**"], "Doors never reach infra: go through commands and services."], emulatorRule),
  },
  {
    files: ["src/commands/**/*.ts"],
    rules: forbid([["**/infra/**", "**/http/**"], "Commands call services; they know no HTTP and no infra."], emulatorRule),
  },
  {
    files: ["src/services/**/*.ts"],
    rules: forbid([["**/http/**", "**/commands/**"], "Services know no doors."], emulatorRule),
  },
  {
    files: ["src/infra/**/*.ts"],
    rules: forbid([["**/services/**", "**/http/**", "**/commands/**"], "Infra never imports services or doors."], emulatorRule),
  },
  {
    files: ["src/rate-limits/**/*.ts"],
    rules: forbid([["**/http/**", "**/commands/**", "**/services/**"], "Rate limits count requests; they know no doors, commands or services."], emulatorRule),
  },
  {
    files: ["src/tracing/**/*.ts"],
    rules: forbid([["../**", "!../tracing/**"], "The request scope is read by everyone and imports no other part."]),
  },
  {
    files: ["src/metrics/**/*.ts"],
    rules: forbid([["../**", "!../metrics/**"], "Metrics count what the others tell them: everyone may import them, they import no other part."]),
  },
  {
    files: ["src/webhooks/**/*.ts"],
    rules: forbid([["**/http/**", "**/commands/**", "**/services/**"], "Webhooks record and deliver what services tell them; they know no doors, commands or services."], emulatorRule),
  },
  {
    files: ["src/workers/**/*.ts"],
    rules: forbid([["**/http/**"], "Workers run services, not doors."], emulatorRule),
  },
  {
    files: ["src/emulator/**/*.ts"],
    rules: forbid([["../**", "!../emulator/**"], "The emulator is Tencent's side: it shares no code with the core (it checks the core's requests independently)."]),
  },
  {
    // Tests read arbitrary JSON answers.
    files: ["test/**/*.ts", "scripts/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  { files: ["**/*.mjs", "**/*.js"], ...tseslint.configs.disableTypeChecked },
  { files: ["**/*.js"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } } },
  {
    // The console's page runs in the browser, as an ES module.
    files: ["console/**/*.js"],
    languageOptions: {
      sourceType: "module",
      globals: Object.fromEntries(["window", "document", "location", "fetch", "setTimeout", "clearTimeout", "FormData", "Node", "confirm", "alert", "URLSearchParams", "Blob", "URL"].map((name) => [name, "readonly"])),
    },
  },
);
