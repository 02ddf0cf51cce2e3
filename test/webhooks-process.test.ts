import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { startTencentEmulator, type TencentEmulator } from "../src/emulator";
import { send } from "./support/connections";
import { OTHER_APP, resetStores, TEST_APP, TEST_CLOUD, testServerEnv } from "./support/env";
import { type ServerProcess, startServerProcess } from "./support/processes";

/**
 * An instance killed (SIGKILL) in the middle of a webhook call loses nothing: the built server,
 * a process of its own, is killed while the receiver holds its first call; another instance
 * started afterwards sends that event again once the lease runs out, then the rest, in order.
 */

const SECRET = `whsec_${Buffer.from("a test secret of twenty-four bytes or more").toString("base64")}`;
const COMMON = { appid: TEST_APP.sdkAppId, timeStamp: 12345 };
const PASSWORD = "cGFzc3dvcmQ=";
const SLOW = 120_000;

let tencent: TencentEmulator;
let receiver: Server;
let receiverUrl = "";
const received: Array<{ id: string; type: string }> = [];
let holdFirst = true;
let firstHeld: () => void = () => undefined;
const firstArrived = new Promise<void>((resolve) => (firstHeld = resolve));

beforeAll(async () => {
  await resetStores();
  tencent = await startTencentEmulator({ apps: [TEST_APP, OTHER_APP], cloud: TEST_CLOUD });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const payload = new Webhook(SECRET).verify(Buffer.concat(chunks).toString("utf8"), req.headers as Record<string, string>) as { id: string; type: string };
      received.push(payload);
      if (holdFirst) {
        holdFirst = false;
        firstHeld();
        return; // held: never answered (the instance dies meanwhile)
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  receiver.close();
  await tencent.close();
});

async function call(server: ServerProcess, svc: string, cmd: string, body: Record<string, unknown>): Promise<{ errorCode: number; data?: Record<string, unknown> }> {
  const answer = await send(`${server.url}/index.php?svc=${svc}&cmd=${cmd}`, { body: { ...COMMON, ...body } });
  return JSON.parse(answer.text) as { errorCode: number; data?: Record<string, unknown> };
}

test(
  "killed mid-delivery: the next instance sends the held event again, then the rest, in order; nothing lost",
  async () => {
    const env = {
      WEBHOOKS: JSON.stringify([{ name: "lms", appid: TEST_APP.sdkAppId, url: receiverUrl, secret: SECRET }]),
      WEBHOOK_INTERVAL_MS: "50",
      WEBHOOK_TIMEOUT_MS: "3000", // a stalled test process (the receiver) must not time a delivery out: the exact count below would see a retry
      WEBHOOK_FIRST_RETRY_MS: "100",
      REAPER_ENABLED: "false",
    };
    const first = await startServerProcess({ tencent, env });
    let second: ServerProcess | undefined;
    try {
      expect((await call(first, "account", "regist", { id: "killed-teacher", pwd: PASSWORD, role: 1 })).errorCode).toBe(0);
      const token = (await call(first, "account", "login", { id: "killed-teacher", pwd: PASSWORD })).data!.token as string;
      const roomnum = (await call(first, "live", "create", { token, title: "killed" })).data!.roomnum as number;
      expect((await call(first, "live", "startcourse", { token, roomnum })).errorCode).toBe(0);
      await firstArrived;
      first.signal("SIGKILL");
      await first.exited;
      second = await startServerProcess({ tencent, env });
      expect((await call(second, "live", "exitroom", { token, roomnum })).errorCode).toBe(0);
      const expected = ["course.created", "course.started", "member.joined", "course.ended", "attendance.ready"];
      const giveUpAt = Date.now() + 30_000;
      const distinct = () => [...new Map(received.map((r) => [r.id, r.type])).values()];
      while (distinct().length < expected.length && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 50));
      expect(distinct()).toEqual(expected);
      // The held event came twice (the killed instance's attempt, then the next instance's), with one id.
      expect(received.filter((r) => r.type === "course.created")).toHaveLength(2);
      expect(new Set(received.filter((r) => r.type === "course.created").map((r) => r.id)).size).toBe(1);
    } finally {
      await first.stop();
      await second?.stop();
    }
  },
  SLOW,
);

/** `npm run webhooks -- …` as an operator runs it: the built script with the server's configuration. */
function webhooksCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(__dirname, "..", "dist", "scripts", "webhooks.js"), ...args], { env: { ...process.env, ...testServerEnv(tencent.url), ...env, LOG_LEVEL: "warn" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test(
  "npm run webhooks -- replay --since: what a receiver missed is sent again, with the same ids, in order; a wrong option is refused",
  async () => {
    const env = { WEBHOOKS: JSON.stringify([{ name: "lms", appid: TEST_APP.sdkAppId, url: receiverUrl, secret: SECRET }]), WEBHOOK_INTERVAL_MS: "50" };
    const before = received.length;
    expect(await webhooksCli(["replay", "--since", "nonsense"], env)).toMatchObject({ code: 1, stderr: expect.stringContaining("usage: npm run webhooks -- replay") });
    expect(await webhooksCli(["replay", "--since", "1h", "--endpoint", "crm"], env)).toMatchObject({ code: 1, stderr: expect.stringContaining("no endpoint named crm") });
    const replayed = await webhooksCli(["replay", "--since", "1h", "--endpoint", "lms"], env);
    expect(replayed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^5 deliveries since .* to lms will be sent again\n$/) });
    const server = await startServerProcess({ tencent, env: { ...env, REAPER_ENABLED: "false" } });
    try {
      const giveUpAt = Date.now() + 30_000;
      while (received.length < before + 5 && Date.now() < giveUpAt) await new Promise((r) => setTimeout(r, 50));
      const again = received.slice(before);
      expect(again.map((r) => r.type)).toEqual(["course.created", "course.started", "member.joined", "course.ended", "attendance.ready"]);
      expect(again.map((r) => r.id)).toEqual([...new Map(received.slice(0, before).map((r) => [r.id, r.type])).keys()]);
    } finally {
      await server.stop();
    }
  },
  SLOW,
);
