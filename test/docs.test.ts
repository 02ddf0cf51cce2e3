import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_KEYS } from "../src/config";
import { COMMANDS } from "../src/commands/registry";

/**
 * The README and docs/ name only what exists: every link leads to a file (and heading) that is
 * there, every path in backticks is a file or folder of the project, every configuration-like
 * key is one the server reads (or an environment variable a script or test reads), every
 * command named is a command of the registry.
 */

const root = join(__dirname, "..");
const documents = ["README.md", ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];
const textOf = (document: string) => readFileSync(join(root, document), "utf8");
/** Code spans, outside fenced blocks too (a fence's lines are commands, checked as text). */
const codeSpans = (text: string) => [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

/** Documents of the specification, kept beside the repository (named, not linked). */
/** The folders git ignores (.gitignore's entries ending in "/"). */
const IGNORED_FOLDERS = readFileSync(join(root, ".gitignore"), "utf8")
  .split("\n")
  .filter((line) => line.endsWith("/"));
const SPECIFICATION = ["protocol.md", "live-protocol.md", "tencent-formats.md", "videorelay.md", "config.md"];
/** Commands the docs name as not served (the legacy v1.0 commands, linksig's closed algorithm). */
const NOT_SERVED = ["live.linksig", "live.start", "live.list"];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
const anchorsOf = (text: string) => new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));

test("the README is short: what this is, the two commands, the demo, where to read on", () => {
  expect(textOf("README.md").split("\n").length).toBeLessThan(150);
  for (const document of documents.filter((d) => d !== "README.md")) expect(textOf("README.md")).toContain(`(${document})`);
});

test.each(documents)("%s: every link leads to a file and heading that exist", (document) => {
  const text = textOf(document);
  const base = document.includes("/") ? document.slice(0, document.lastIndexOf("/")) : ".";
  const broken: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue; // an absolute URL
    const [file, anchor] = target!.split("#");
    const path = file ? join(base, file) : document;
    if (!existsSync(join(root, path))) broken.push(target!);
    else if (anchor && path.endsWith(".md") && !anchorsOf(textOf(path)).has(anchor)) broken.push(target!);
  }
  expect(broken).toEqual([]);
});

test.each(documents)("%s: every path named exists", (document) => {
  const paths = codeSpans(textOf(document))
    .map((span) => span.split(/[\s:(]/)[0]!)
    .filter((span) => /^(src|test|scripts|docs|prisma|\.ci)\//.test(span) || /^[\w.-]+\.(md|json|example|mjs)$/.test(span))
    .filter((span) => !/[<*…]/.test(span))
    // The specification the project was built to (spec/ beside the repository, not in it).
    .filter((span) => !SPECIFICATION.includes(span))
    // What the build or the tests make (test/artifacts/ once the browser tests have run): not the repository's.
    .filter((span) => !IGNORED_FOLDERS.some((folder) => span.startsWith(folder)));
  expect(paths.filter((path) => !existsSync(join(root, path)))).toEqual([]);
});

/** Environment variables the scripts and tests read besides the server's configuration. */
function otherEnvironment(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
      else if (entry.name.endsWith(".ts")) for (const m of readFileSync(join(root, dir, entry.name), "utf8").matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) names.add(m[1]!);
    }
  };
  ["scripts", "test", "src"].forEach(walk);
  return names;
}

test.each(documents)("%s: every configuration key named is read by the server, a script or a test", (document) => {
  const known = new Set([...CONFIG_KEYS, ...otherEnvironment()]);
  const keys = codeSpans(textOf(document))
    .flatMap((span) => [...span.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b(?==|\b)/g)].map((m) => m[1]!))
    // Tencent's own field names and codes in capitals are not configuration.
    .filter((key) => !/^(UPB_|TLS_|AUTO_\*|TC3_)/.test(key) && /_(S|MS|URL|PORT|ENABLED|KEY|ID|APPS?|NODES|SIZE|LEVEL|FORMAT|PATHS|BUCKETS?|REGION|TAG|HOSTS|ACTIONS|PROCEDURE|SUBAPPID|CERT|CA|RECORD|PUSH|CODE|TYPES|BYTES|N|ENV|PROXY|ORIGINS|MINUTE|ADMINS|SIGN|PREFIX|BASE|SEED|RUNS|ARGS|APPID|BIZID|HOST|DELAY_S|ATTEMPTS|CLASSES|LOAD|ROUNDS|CONNECTIONS|STUDENTS)$/.test(key));
  expect(keys.filter((key) => !known.has(key))).toEqual([]);
});

test.each(documents)("%s: every command named is one the server serves", (document) => {
  const names = new Set(COMMANDS.flatMap((command) => [command.name, ...(command.aliases ?? [])]));
  const services = new Set([...names].map((name) => name.split(".")[0]!));
  const named = codeSpans(textOf(document))
    .filter((span) => /^[a-z]+\.[a-zA-Z_]+$/.test(span) && services.has(span.split(".")[0]!))
    // A command the docs say is not served (linksig) or another system's call.
    .filter((span) => !NOT_SERVED.includes(span));
  expect(named.filter((name) => !names.has(name))).toEqual([]);
});

test("docs/configuration.md's table names every configuration key the server reads, and only those", () => {
  const rows = textOf("docs/configuration.md")
    .split("\n")
    .filter((line) => line.startsWith("| `"));
  const documented = rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
  expect([...new Set(documented)].sort()).toEqual([...CONFIG_KEYS].sort());
});
