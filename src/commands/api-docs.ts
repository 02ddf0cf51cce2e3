import type { AnyCommand, Auth, Dialect } from "./command";
import { restRoutesOf } from "./command";
import { describeSource, type InputSource, type RestMapping } from "./rest-mapping";
import { webhookEventsSection } from "../webhooks/docs";

/**
 * The API tables of docs/protocol.md and docs/rest.md, rendered from the declarations (`npm run docs`
 * writes them; test/api-docs.test.ts fails when one is stale). Each table sits between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
 */

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** The protocol table's "token" column: a token, none, or a signature instead of the common fields. */
const AUTH_CELL: Record<Auth, string> = { token: "yes", none: "–", signed: "signed", console: "console session" };

export function protocolTable(commands: readonly AnyCommand[], dialect: Exclude<Dialect, "rest">): string {
  const lines = [row(["svc.cmd", "token", "who may call", "what"]), row(["---", "---", "---", "---"])];
  for (const c of commands.filter((command) => command.dialect === dialect)) {
    lines.push(row([`\`${c.name}\``, AUTH_CELL[c.auth], c.access.who, c.summary]));
  }
  return lines.join("\n");
}

function inputCell(route: RestMapping): string {
  const fields = Object.entries(route.input).map(([field, sources]) => {
    const list = Array.isArray(sources) ? (sources as readonly InputSource[]) : [sources as InputSource];
    const from = list.map(describeSource).join(" or ");
    return from === field ? `\`${field}\`` : `\`${field}\` ← ${from}`;
  });
  return [...(route.bodyIsInput ? ["the JSON body's fields"] : []), ...fields].join(", ");
}

export function restTable(commands: readonly AnyCommand[]): string {
  const lines = [row(["route", "success", "command", "who may call", "input"]), row(["---", "---", "---", "---", "---"])];
  for (const c of commands) {
    for (const route of restRoutesOf(c)) {
      lines.push(row([`\`${route.method.toUpperCase()} ${route.path}\``, String(route.status ?? 200), `\`${c.name}\``, c.access.who, inputCell(route)]));
    }
  }
  return lines.join("\n");
}

/** Every generated section of the API documents, by name. */
export function generatedSections(commands: readonly AnyCommand[]): Record<string, string> {
  return {
    "protocol-commands": protocolTable(commands, "classroom"),
    "live-commands": protocolTable(commands, "live"),
    "rest-routes": restTable(commands),
    "webhook-events": webhookEventsSection(),
  };
}

/** `readme` with each generated section replaced by its current rendering. */
export function withGeneratedSections(document: string, sections: Record<string, string>): string {
  let text = document;
  for (const [name, body] of Object.entries(sections)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`the document has no ${open} … ${close} section`);
    text = `${text.slice(0, start + open.length)}\n${body}\n${text.slice(end)}`;
  }
  return text;
}

/** The documents that hold the generated sections (from the project's root), each with the sections it holds. */
export const API_DOCUMENTS: Readonly<Record<string, readonly string[]>> = {
  "docs/protocol.md": ["protocol-commands", "live-commands"],
  "docs/rest.md": ["rest-routes"],
  "docs/webhooks.md": ["webhook-events"],
};

/** `document` with the named sections rendered afresh. */
export function withSectionsOf(document: string, names: readonly string[], sections: Record<string, string>): string {
  return withGeneratedSections(document, Object.fromEntries(names.map((name) => [name, sections[name] ?? ""])));
}
