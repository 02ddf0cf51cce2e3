import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { API_DOCUMENTS, generatedSections, withSectionsOf } from "../src/commands/api-docs";
import { COMMANDS } from "../src/commands/registry";

/** `npm run docs`: rewrites the API tables of docs/protocol.md and docs/rest.md from the command declarations. */
const root = join(__dirname, "..", "..");
const sections = generatedSections(COMMANDS);
for (const [document, names] of Object.entries(API_DOCUMENTS)) {
  const path = join(root, document);
  const before = readFileSync(path, "utf8");
  const after = withSectionsOf(before, names, sections);
  writeFileSync(path, after);
  console.log(after === before ? `${document} is up to date` : `${document}: API tables rewritten`);
}
