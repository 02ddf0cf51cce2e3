import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { assertFreshBuild, SERVER_ENTRY } from "./support/processes";

/**
 * The server runs with V8's allocation-site pretenuring off (src/heap-tuning.ts): with it on, the
 * heartbeat's objects were allocated in the old generation after the slow first beats of a start
 * (12 % of all allocation promoted under the fleet benchmark; see docs/operations.md). V8 says
 * where an object lives through `%InYoungGeneration` (natives syntax, a process of its own).
 */

const HEAP_TUNING = "dist/src/heap-tuning.js";

/** Objects of one allocation site kept alive across young collections (V8 then pretenures the site), then where a new one lives. */
const PROBE = `
function make(i) { return { i }; }
const kept = [];
for (let round = 0; round < 10; round++) for (let i = 0; i < 100000; i++) kept.push(make(i));
let young = 0;
for (let i = 0; i < 100; i++) if (%InYoungGeneration(make(i))) young++;
process.stdout.write(String(young));
`;

function youngOf(preload: string[]): number {
  return Number(execFileSync(process.execPath, ["--allow-natives-syntax", ...preload.flatMap((module) => ["-r", module]), "-e", PROBE], { encoding: "utf8" }));
}

beforeAll(assertFreshBuild);

/** The control's tries: V8's own decision is not certain on a loaded machine (CI once saw a default run keep the site young); one pretenured try proves the probe can see it. */
const CONTROL_TRIES = 3;

test("by default V8 pretenures a site whose objects survive (the probe sees it)", () => {
  const tries: number[] = [];
  while (tries.length < CONTROL_TRIES && !tries.includes(0)) tries.push(youngOf([]));
  expect(tries).toContain(0);
});

test("with the server's heap tuning loaded, the same site's new objects stay young", () => {
  expect(youngOf([`./${HEAP_TUNING}`])).toBe(100);
});

/** Every process's entry: the server's (`npm start`) and the workers' alone (`npm run reaper`). */
test.each([
  ["the server's entry", SERVER_ENTRY],
  ["the workers' entry", "dist/src/workers/reaper-main.js"],
])("%s loads the heap tuning before anything else", (_process, entry) => {
  const requires = [...readFileSync(entry, "utf8").matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
  expect(requires[0]).toMatch(/^\.\.?\/heap-tuning$/);
});
