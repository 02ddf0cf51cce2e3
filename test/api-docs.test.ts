import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generatedSections, withGeneratedSections } from "../src/commands/api-docs";
import { COMMANDS } from "../src/commands/registry";

/** The README's API tables are rendered from the declarations: stale tables fail here (`npm run docs` fixes them). */
test("the README's API tables match the command declarations", () => {
  const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");
  expect(readme).toBe(withGeneratedSections(readme, generatedSections(COMMANDS)));
});

test("every command of the registry appears in the tables, with its access policy", () => {
  const sections = generatedSections(COMMANDS);
  for (const command of COMMANDS) {
    const table = { rest: sections["rest-routes"]!, classroom: sections["protocol-commands"]!, live: sections["live-commands"]! }[command.dialect];
    expect(table).toContain(`\`${command.name}\``);
    expect(table).toContain(command.access.who);
  }
});
