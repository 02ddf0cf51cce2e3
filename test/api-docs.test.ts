import { readFileSync } from "node:fs";
import { join } from "node:path";
import { API_DOCUMENTS, generatedSections, withSectionsOf } from "../src/commands/api-docs";
import { COMMANDS } from "../src/commands/registry";

/** The API tables in docs/ are rendered from the declarations: stale tables fail here (`npm run docs` fixes them). */
test.each(Object.entries(API_DOCUMENTS))("the API tables of %s match the command declarations", (document, names) => {
  const text = readFileSync(join(__dirname, "..", document), "utf8");
  expect(text).toBe(withSectionsOf(text, names, generatedSections(COMMANDS)));
});

test("every generated section has a document", () => {
  expect(Object.values(API_DOCUMENTS).flat().sort()).toEqual(Object.keys(generatedSections(COMMANDS)).sort());
});

test("every command of the registry appears in the tables, with its access policy", () => {
  const sections = generatedSections(COMMANDS);
  for (const command of COMMANDS) {
    const table = { rest: sections["rest-routes"]!, classroom: sections["protocol-commands"]!, live: sections["live-commands"]! }[command.dialect];
    expect(table).toContain(`\`${command.name}\``);
    expect(table).toContain(command.access.who);
  }
});
