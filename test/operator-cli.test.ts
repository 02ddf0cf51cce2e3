import { spawn } from "node:child_process";
import { join } from "node:path";
import { startTencentEmulator, type TencentEmulator } from "../src/emulator";
import { verifyPassword } from "../src/services/passwords";
import { OTHER_APP, TEST_APP, TEST_CLOUD, resetStores, testDatabaseUrl, testRedisUrl, testServerEnv } from "./support/env";
import { assertFreshBuild } from "./support/processes";
import { createDb } from "../src/infra/db/prisma";

/**
 * `npm run operator -- add <id> [--apps …]` as an administrator runs it (the built script, a
 * process of its own, the server's configuration): the password from stdin, the apps checked
 * against SDK_APPS, an id taken refused, nothing stored on a refusal.
 */

let tencent: TencentEmulator;
const db = createDb(testDatabaseUrl(), { poolSize: 2, timeoutMs: 5000 });

beforeAll(async () => {
  assertFreshBuild();
  await resetStores(testDatabaseUrl(), testRedisUrl());
  tencent = await startTencentEmulator({ apps: [TEST_APP, OTHER_APP], cloud: TEST_CLOUD });
});
afterAll(async () => {
  await db.$disconnect();
  await tencent.close();
});

function operatorCli(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, "..", "dist", "scripts", "operator.js"), ...args], { env: { ...process.env, ...testServerEnv(tencent.url), LOG_LEVEL: "warn" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

test("add: the password from stdin, stored as scrypt; the apps given, or every configured one", async () => {
  const added = await operatorCli(["add", "desk", "--apps", String(TEST_APP.sdkAppId)], "a long enough password\n");
  expect(added).toMatchObject({ code: 0, stdout: `operator desk added, seeing app ${TEST_APP.sdkAppId}: sign in at /console\n` });
  const row = await db.operator.findUniqueOrThrow({ where: { uid: "desk" } });
  expect(row.apps).toEqual([TEST_APP.sdkAppId]);
  expect(row.passwordHash).toMatch(/^scrypt\$/);
  expect(await verifyPassword("a long enough password", row.passwordHash)).toBe(true);
  expect((await operatorCli(["add", "all-apps"], "another long password")).code).toBe(0);
  expect((await db.operator.findUniqueOrThrow({ where: { uid: "all-apps" } })).apps).toEqual([TEST_APP.sdkAppId, OTHER_APP.sdkAppId]);
}, 60_000);

test.each([
  ["an id taken", ["add", "desk"], "a long enough password", "that operator id is taken"],
  ["an app not configured", ["add", "x1", "--apps", "123"], "a long enough password", "--apps must list apps of SDK_APPS"],
  ["a short password", ["add", "x2"], "short", "the password needs at least 8 characters"],
  ["a strange id", ["add", "x 3"], "a long enough password", "the id is 1 to 50 letters"],
  ["no command", [], "", "usage: npm run operator -- add <id>"],
])("refused: %s (exit 1, said on stderr, nothing stored)", async (_name, args, stdin, message) => {
  const before = await db.operator.count();
  const refused = await operatorCli(args, stdin);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(message);
  expect(await db.operator.count()).toBe(before);
}, 60_000);
