import { existsSync, mkdirSync } from "node:fs";
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

/** Keeps a member beating every second, as the apps do every 3 s (faster: the test's timeouts are short). */
function keepBeating(token: string, roomnum: number): void {
  beating.push(setInterval(() => void t.call("live", "heartbeat", { ...C, token, roomnum }).catch(() => undefined), 1000));
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
  // A student silent for 3 s is dropped by the reaper (every 250 ms); the teacher has a minute.
  t = await startTestServer({ REAPER_ENABLED: "true", REAPER_INTERVAL_MS: "250", MEMBER_TIMEOUT_S: "3", TEACHER_TIMEOUT_S: "60" });
  await t.server.services.operators.add("desk", PASSWORD, [TEST_APP.sdkAppId]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("dialog", (dialog) => void dialog.accept());
}, 60_000);

afterAll(async () => {
  beating.forEach(clearInterval);
  await browser?.close();
  await t?.close();
});

test("sign in, a class appears in Live now with its members, a silent student disappears, the class is ended from its page", async () => {
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

  const row = page.locator(`tr[data-roomnum="${roomnum}"]`);
  await row.waitFor({ timeout: WAIT_MS });
  // The title is shown as text, never as HTML.
  expect(await row.locator("td").nth(2).textContent()).toBe("Browser <b>class</b>");
  expect(await row.locator("td").nth(3).textContent()).toBe("teacher-b");
  await screenshot("2-live-now");
  // student-b2 never beats: after 3 s of silence the reaper drops them, and the page (refreshing itself) shows 2 present.
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
  expect(course).toMatchObject({ state: 2, endReason: "operator" });

  // Back in Live now the class is gone.
  await page.getByRole("link", { name: "← Live now" }).click();
  await page.getByRole("heading", { name: /Live now/ }).waitFor({ timeout: WAIT_MS });
  await row.waitFor({ state: "detached", timeout: WAIT_MS });
});
