import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedSections, withGeneratedSections } from "../src/commands/api-docs";
import { COMMANDS } from "../src/commands/registry";

/** `npm run docs`: rewrites the README's API tables from the command declarations. */
const readmePath = join(__dirname, "..", "..", "README.md");
const before = readFileSync(readmePath, "utf8");
const after = withGeneratedSections(before, generatedSections(COMMANDS));
writeFileSync(readmePath, after);
console.log(after === before ? "README.md is up to date" : "README.md API tables rewritten");
