import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { TEST_APP } from "./support/env";

/**
 * The operator console in a real browser: Debian's Chromium driven by playwright-core against
 * the real server, PostgreSQL, Redis and the Tencent emulator. An operator signs in, sees a
 * class the test starts through the app protocol appear in "Live now" with its members,
 * watches a student who stops beating disappear (the reaper drops them), and ends the class
 * from its page. Each page's screenshot is saved under test/artifacts/ (not committed).
 */

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, "artifacts");
const PASSWORD = "correct horse battery";
/** Generous: CI's machine is busy, and the page refreshes every 3 s. */
const WAIT_MS = 25_000;

let t: TestServer;
let browser: Browser;
let page: Page;
const beating: NodeJS.Timeout[] = [];

/** Keeps a member beating twice a second, as the apps do every 3 s (faster: a busy machine's stalls must stay far below the member timeout). */
function keepBeating(token: string, roomnum: number): void {
  beating.push(setInterval(() => void t.call("live", "heartbeat", { ...C, token, roomnum }).catch(() => undefined), 500));
}

/** Waits until the element's text is `text` (the page refreshes itself every 3 s). */
const waitForText = (selector: string, text: string) =>
  // A function, not a string: the console's CSP forbids eval, which a string predicate would need.
  page.waitForFunction(
    ([s, expected]) => (globalThis as unknown as { document: { querySelector(q: string): { textContent: string | null } | null } }).document.querySelector(s)?.textContent === expected,
    [selector, text] as const,
    { timeout: WAIT_MS },
  );

const screenshot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: \`apt-get install chromium\` (Debian's; .ci/run installs it)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  // A student silent for 6 s is dropped by the reaper (every 250 ms); the teacher has a minute.
  // Tencent's side as in production: its bypass recording calls back once a class ends, and its replay index service builds the index and calls back.
  t = await startTestServer(
    { REAPER_ENABLED: "true", REAPER_INTERVAL_MS: "250", MEMBER_TIMEOUT_S: "6", TEACHER_TIMEOUT_S: "60", REPLAY_INDEX_ENABLED: "true", REPLAY_INDEX_DELAY_S: "1", REPLAY_INDEX_INTERVAL_MS: "200" },
    { tencentReplayIndex: true },
  );
  t.tencent.recorder.enabled = true;
  await t.server.services.operators.add("desk", PASSWORD, [TEST_APP.sdkAppId]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page.on("dialog", (dialog) => void dialog.accept());
}, 60_000);

afterAll(async () => {
  beating.forEach(clearInterval);
  await browser?.close();
  await t?.close();
});

test("sign in, a class appears in Live now with its members, a silent student disappears, the class is ended from its page, becomes replayable, its replay view shows videos and chat, its attendance CSV matches the stays", async () => {
  // A page that is not signed in asks to sign in; a wrong password is said so.
  await page.goto(`${t.url}/console`);
  await page.getByLabel("Operator id").fill("desk");
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "User password error" }).waitFor({ timeout: WAIT_MS });
  await screenshot("1-sign-in");
  await page.getByLabel("Operator id").fill("desk");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: /Live now/ }).waitFor({ timeout: WAIT_MS });
  expect(await page.locator("#who").textContent()).toBe("desk");

  // A class started through the app protocol, with two students; one of them stops beating.
  const [T, S1, S2] = [await signUp(t, "teacher-b", 1), await signUp(t, "student-b1", 0), await signUp(t, "student-b2", 0)];
  const roomnum = (await t.call("live", "create", { ...C, token: T, title: "Browser <b>class</b>" })).body.data.roomnum as number;
  expect((await t.call("live", "startcourse", { ...C, token: T, roomnum })).body.errorCode).toBe(0);
  for (const token of [S1, S2]) expect((await t.call("live", "reportmemid", { ...C, token, roomnum, operate: 0 })).body.errorCode).toBe(0);
  keepBeating(T, roomnum);
  keepBeating(S1, roomnum);
  t.tencent.im.chat(TEST_APP.sdkAppId, String(roomnum), "student-b1", "good morning <script>alert(1)</script>");

  const row = page.locator(`tr[data-roomnum="${roomnum}"]`);
  await row.waitFor({ timeout: WAIT_MS });
  // The title is shown as text, never as HTML.
  expect(await row.locator("td").nth(2).textContent()).toBe("Browser <b>class</b>");
  expect(await row.locator("td").nth(3).textContent()).toBe("teacher-b");
  await screenshot("2-live-now");
  // student-b2 never beats: after 6 s of silence the reaper drops them, and the page (refreshing itself) shows 2 present.
  await waitForText(`tr[data-roomnum="${roomnum}"] td.present`, "2");
  await screenshot("3-student-gone");

  // The course's page: who is present, every stay; then the class is ended from it.
  await row.getByRole("link", { name: String(roomnum) }).click();
  await page.getByRole("heading", { name: /Browser <b>class<\/b>/ }).waitFor({ timeout: WAIT_MS });
  await waitForText("#present", "teacher-b, student-b1");
  const stays = page.getByRole("table", { name: "Stays" }).locator("tbody tr");
  expect(await stays.count()).toBe(3);
  expect(await stays.nth(2).locator("td").nth(4).textContent()).toBe("timeout");
  await screenshot("4-course");
  await page.getByRole("button", { name: "End class" }).click();
  await waitForText("#course-state", "ended");
  await screenshot("5-ended");
  const course = await t.server.db.course.findUniqueOrThrow({ where: { roomnum } });
  // Ended (2), or already replayable (3) on a quick machine: the index is due a second after the end.
  expect(course.endReason).toBe("operator");
  expect([2, 3]).toContain(course.state);

  beating.forEach(clearInterval);

  // Tencent's recording callback and its replay index callback arrive: the page (refreshing) says replayable, with the video.
  await waitForText("#course-state", "replayable");
  await page.getByRole("table", { name: "Videos" }).locator("tbody tr").first().waitFor({ timeout: WAIT_MS });
  expect(await page.locator("#replay-status").textContent()).toMatch(/^built/);
  await screenshot("6-replayable");

  // Its attendance as CSV: each member's minutes are their stays' (merged), as PostgreSQL has them.
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: WAIT_MS }), page.locator("#attendance-csv").click()]);
  const csv = readFileSync((await download.path()), "utf8").trim().split("\r\n");
  expect(csv[0]).toBe("uid,role,minutes,first_join,last_leave,stays");
  const ended = await t.server.db.course.findUniqueOrThrow({ where: { roomnum } });
  const stayRows = await t.server.db.classMember.findMany({ where: { roomnum }, include: { account: true }, orderBy: { id: "asc" } });
  const expected = ["teacher-b", "student-b1", "student-b2"].map((uid) => {
    const own = stayRows.filter((s) => s.account.uid === uid);
    const ms = own.reduce((sum, s) => sum + ((s.leftAt ?? ended.endedAt!).getTime() - s.joinedAt.getTime()), 0);
    return `${uid},${own[0]!.role},${Math.round(ms / 6000) / 10},${own[0]!.joinedAt.getTime() / 1000},${Math.max(...own.map((s) => s.leftAt!.getTime())) / 1000},${own.length}`;
  });
  expect(csv.slice(1)).toEqual(expected);

  // The replay view: the class's videos in order beside its chat (from IM), written as text.
  await page.getByRole("link", { name: "replay view" }).click();
  await page.getByRole("heading", { name: /^Replay: / }).waitFor({ timeout: WAIT_MS });
  expect(await page.locator("video").count()).toBeGreaterThanOrEqual(1);
  const chat = page.locator("ol.chat li.text");
  expect(await chat.count()).toBe(1);
  expect(await chat.first().textContent()).toMatch(/student-b1: good morning <script>alert\(1\)<\/script>$/);
  expect(await page.locator("ol.chat li.custom").allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/class started: teacher-b$/), expect.stringMatching(/entered: student-b1$/), expect.stringMatching(/class ended: teacher-b$/)]));
  await screenshot("7-replay-view");

  // The replays list finds it by teacher; Live now no longer lists it; health says the stores answer.
  await page.getByRole("link", { name: "Replays" }).click();
  await page.getByLabel("Teacher").fill("teacher-b");
  await page.getByRole("button", { name: "Filter" }).click();
  await waitForText(`table[aria-label="Replays"] tr[data-roomnum="${roomnum}"] td.state`, "replayable");
  await screenshot("8-replays");
  await page.getByRole("link", { name: "Live now" }).click();
  await page.getByRole("heading", { name: /Live now/ }).waitFor({ timeout: WAIT_MS });
  await row.waitFor({ state: "detached", timeout: WAIT_MS });
  await page.getByRole("link", { name: "Health" }).click();
  await waitForText('table[aria-label="Dependencies"] tr:first-child td.ok', "up");
  await screenshot("9-health");
});
