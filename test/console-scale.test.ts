import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "./support/harness";
import { TEST_APP } from "./support/env";
import { presenceRoomOf } from "../src/services/presence";

/**
 * The console at a school's scale, in Debian's Chromium: 200 living classes in "Live now" and a
 * class of 1,000 present members on its page. The stores are filled directly (accounts, courses
 * and stays in PostgreSQL, presence through the presence service), as a busy day leaves them;
 * the pages must list every one, readable (a header that stays in view, nothing cut), and keep
 * refreshing. How fast they render is printed, never asserted (speed lives in benchmarks).
 */

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, "artifacts");
const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;
const CLASSES = 200;
const BIG_CLASS = 1000;

let t: TestServer;
let browser: Browser;
let page: Page;
let bigRoomnum: number;

/** 200 living classes of their own teachers, and the first one with 1,000 students present (and their stays). */
async function fillStores(): Promise<void> {
  const { db, services } = t.server;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const passwordHash = "scrypt$1024$8$1$c2FsdA==$aGFzaA==";
  const ids = [...Array.from({ length: CLASSES }, (_, i) => `scale-teacher-${i}`), ...Array.from({ length: BIG_CLASS }, (_, i) => `scale-student-${i}`)];
  await db.account.createMany({ data: ids.map((uid, i) => ({ appid: TEST_APP.sdkAppId, uid, uidKey: uid, role: i < CLASSES ? 1 : 0, passwordHash })) });
  const accounts = await db.account.findMany({ where: { appid: TEST_APP.sdkAppId, uid: { startsWith: "scale-" } }, orderBy: { uin: "asc" } });
  const teachers = accounts.filter((a) => a.role === 1);
  const students = accounts.filter((a) => a.role === 0);
  await db.course.createMany({ data: teachers.map((teacher, i) => ({ appid: TEST_APP.sdkAppId, hostUin: teacher.uin, title: `Class ${i} of a busy day`, state: 1, startedAt: now, effectiveAt: now, startImSeq: 1 })) });
  const courses = await db.course.findMany({ where: { appid: TEST_APP.sdkAppId, state: 1 }, orderBy: { roomnum: "asc" } });
  await db.classMember.createMany({ data: courses.map((c) => ({ roomnum: c.roomnum, uin: c.hostUin, role: 1, joinedAt: now })) });
  bigRoomnum = courses[0]!.roomnum;
  await db.classMember.createMany({ data: students.map((s) => ({ roomnum: bigRoomnum, uin: s.uin, role: 0, joinedAt: now })) });
  for (const course of courses) await services.presence.classStarted(presenceRoomOf(course), Date.now());
  const big = presenceRoomOf(courses[0]!);
  for (let i = 0; i < students.length; i += 100) await Promise.all(students.slice(i, i + 100).map((s) => services.presence.entered(big, s.uin, Date.now())));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: \`apt-get install chromium\` (Debian's; .ci/run installs it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await startTestServer();
  await t.server.services.operators.add("desk", PASSWORD, [TEST_APP.sdkAppId]);
  await fillStores();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Waits until `count` rows are shown in the table, and says how long the page took (printed, not asserted). */
async function rowsShown(table: string, count: number, what: string): Promise<void> {
  const started = Date.now();
  await page.waitForFunction(
    ([selector, n]) => (globalThis as unknown as { document: { querySelectorAll(q: string): { length: number } } }).document.querySelectorAll(selector).length === n,
    [`table[aria-label="${table}"] tbody tr`, count] as const,
    { timeout: WAIT_MS },
  );
  console.log(`${what}: ${count} rows shown ${Date.now() - started} ms after asking`);
}

test("Live now lists 200 living classes, and a class of 1,000 shows every member present and every stay, readable", async () => {
  await page.goto(`${t.url}/console`);
  await page.getByLabel("Operator id").fill("desk");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await rowsShown("Live now", CLASSES, "Live now");
  expect(await page.getByRole("heading", { name: /Live now/ }).textContent()).toBe(`Live now (${CLASSES})`);
  const bigRow = page.locator(`tr[data-roomnum="${bigRoomnum}"]`);
  expect(await bigRow.locator("td.present").textContent()).toBe(String(BIG_CLASS + 1));
  // Readable: no cell wider than the page, and the header stays in view when scrolled.
  expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement.scrollWidth <= (globalThis as unknown as { document: { documentElement: { clientWidth: number } } }).document.documentElement.clientWidth + 1)).toBe(true);
  await page.mouse.wheel(0, 3000);
  expect(await page.locator('table[aria-label="Live now"] thead th').first().isVisible()).toBe(true);
  await page.screenshot({ path: join(ARTIFACTS, "console-scale-live-now.png") });

  await bigRow.getByRole("link", { name: String(bigRoomnum) }).click();
  await rowsShown("Stays", BIG_CLASS + 1, "a class of 1,000");
  expect(await page.getByRole("heading", { name: /^Present now/ }).textContent()).toBe(`Present now (${BIG_CLASS + 1})`);
  await rowsShown("Attendance", BIG_CLASS + 1, "its attendance");
  await page.screenshot({ path: join(ARTIFACTS, "console-scale-course.png") });
  // It keeps refreshing: a student who leaves is gone from "Present now" at the next refresh.
  const leaver = await t.server.db.account.findFirstOrThrow({ where: { uid: "scale-student-0" } });
  await t.server.services.presence.left(bigRoomnum, leaver.uin, "class");
  await page.getByRole("heading", { name: `Present now (${BIG_CLASS})` }).waitFor({ timeout: WAIT_MS });
}, 120_000);
