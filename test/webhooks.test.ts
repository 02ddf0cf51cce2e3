import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { TEST_APP, TEST_CALLBACK_KEY } from "./support/env";
import { recordingFileEvent } from "./support/callbacks";
import { WEBHOOK_EVENTS, type WebhookEventType } from "../src/webhooks/events";
import { isInternalAddress } from "../src/webhooks/sender";
import { loadConfig } from "../src/config";

/**
 * Webhooks for the school's systems: a receiver in the test verifies every delivery with the
 * `standardwebhooks` library (not our code) and checks its payload against the event's declared
 * schema. A class produces exactly its events, in order; a receiver that fails then recovers
 * gets every event, in order; two instances deliver each event once; a change that does not
 * happen sends nothing; an endpoint that hangs or answers megabytes does not slow the server;
 * internal addresses are refused unless allowed.
 */

// Deliveries on a busy machine take their time: the waits below are bounded by `eventually`.
jest.setTimeout(90_000);

const SECRET = `whsec_${Buffer.from("a test secret of twenty-four bytes or more").toString("base64")}`;

interface Received {
  id: string;
  type: WebhookEventType;
  roomnum: number | null;
  data: Record<string, unknown>;
  attempt: number;
}

/** A receiver that verifies each call with the standardwebhooks library; `answer` decides each status (and may hang or send a large body). */
class Receiver {
  readonly received: Received[] = [];
  readonly refused: string[] = [];
  calls = 0;
  answer: (call: number, res: import("node:http").ServerResponse) => void = (_call, res) => res.writeHead(204).end();
  private server!: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private async handle(req: IncomingMessage, res: import("node:http").ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    this.calls += 1;
    try {
      const payload = new Webhook(SECRET).verify(body, req.headers as Record<string, string>) as { id: string; type: WebhookEventType; roomnum: number | null; data: Record<string, unknown>; version: number; appid: number; timestamp: string };
      expect(payload.id).toBe(req.headers["webhook-id"]);
      expect(payload).toMatchObject({ version: 1, appid: TEST_APP.sdkAppId });
      expect(Number.isNaN(Date.parse(payload.timestamp))).toBe(false);
      WEBHOOK_EVENTS[payload.type].parse(payload.data);
      this.received.push({ id: payload.id, type: payload.type, roomnum: payload.roomnum, data: payload.data, attempt: this.calls });
    } catch (error) {
      this.refused.push(String(error));
    }
    this.answer(this.calls, res);
  }

  /** The events of one course, as first received (a retry of an event received already is not counted again). */
  eventsOf(roomnum: number): string[] {
    const seen = new Set<string>();
    return this.received.filter((r) => r.roomnum === roomnum && !seen.has(r.id) && seen.add(r.id)).map((r) => `${r.type}${"uid" in r.data ? ` ${String(r.data.uid)}` : ""}${"reason" in r.data ? ` (${String(r.data.reason)})` : ""}`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Generous: CI's machine is busy, and the server, its worker and the receiver share this process. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 45_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const webhookEnv = (url: string, extra: Record<string, string> = {}) => ({
  WEBHOOKS: JSON.stringify([{ name: "lms", appid: TEST_APP.sdkAppId, url, secret: SECRET }]),
  WEBHOOK_INTERVAL_MS: "50",
  WEBHOOK_FIRST_RETRY_MS: "100",
  WEBHOOK_TIMEOUT_MS: "5000",
  ...extra,
});


/** A receiver and a server sending to it (WEBHOOKS, quick retries), both closed after `body`. */
async function withReceiver(
  options: { env?: Record<string, string>; answer?: Receiver["answer"]; tencentReplayIndex?: boolean },
  body: (t: TestServer, receiver: Receiver) => Promise<void>,
): Promise<void> {
  const receiver = new Receiver();
  await receiver.start();
  if (options.answer) receiver.answer = options.answer;
  const t = await startTestServer(webhookEnv(receiver.url, options.env), { tencentReplayIndex: options.tencentReplayIndex });
  try {
    await body(t, receiver);
  } finally {
    await t.close();
    await receiver.close();
  }
}

describe("a class's events, in order, verified by the standardwebhooks library", () => {
  let t: TestServer;
  const receiver = new Receiver();
  beforeAll(async () => {
    await receiver.start();
    t = await startTestServer(webhookEnv(receiver.url, { REAPER_ENABLED: "true", REAPER_INTERVAL_MS: "100", MEMBER_TIMEOUT_S: "3", TEACHER_TIMEOUT_S: "60" }));
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  test("started, joined ×3, left, dropped by the reaper, ended by the teacher: exactly these, in order, each once", async () => {
    const [T, S1, S2] = [await signUp(t, "wh-teacher", 1), await signUp(t, "wh-s1", 0), await signUp(t, "wh-s2", 0)];
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "webhooks" })).body.data.roomnum as number;
    expect((await t.call("live", "startcourse", { ...C, token: T, roomnum })).body.errorCode).toBe(0);
    const beat = setInterval(() => void t.call("live", "heartbeat", { ...C, token: T, roomnum }).catch(() => undefined), 200);
    // Both students beat until wh-s1's leave is answered: on a busy machine the reaper would otherwise
    // drop one first (CI saw it: then the events lack "member.left wh-s1 (left)", or come in another order).
    // A beat that arrives after the leave is a non-member's: it changes nothing.
    const studentBeats = [S1, S2].map((token) => setInterval(() => void t.call("live", "heartbeat", { ...C, token, roomnum }).catch(() => undefined), 200));
    try {
      for (const token of [S1, S2]) expect((await t.call("live", "reportmemid", { ...C, token, roomnum, operate: 0 })).body.errorCode).toBe(0);
      expect((await t.call("live", "reportmemid", { ...C, token: S1, roomnum, operate: 1 })).body.errorCode).toBe(0);
      studentBeats.forEach(clearInterval);
      // wh-s2 beats no more: the reaper drops it after 3 s.
      await eventually(async () => (await t.server.db.classMember.count({ where: { roomnum, leaveReason: "timeout" } })) === 1, "the reaper's drop");
    } finally {
      clearInterval(beat);
      studentBeats.forEach(clearInterval);
    }
    expect((await t.call("live", "exitroom", { ...C, token: T, roomnum })).body.errorCode).toBe(0);
    const expected = ["course.created", "course.started", "member.joined wh-teacher", "member.joined wh-s1", "member.joined wh-s2", "member.left wh-s1 (left)", "member.left wh-s2 (timeout)", "course.ended (teacher)", "attendance.ready"];
    // On a miss the comparison below says which events came.
    await eventually(() => receiver.eventsOf(roomnum).length >= expected.length, "every event").catch(() => undefined);
    expect(receiver.eventsOf(roomnum)).toEqual(expected);
    expect(receiver.refused).toEqual([]);
    const started = receiver.received.find((r) => r.roomnum === roomnum && r.type === "course.started")!;
    expect(started.data).toMatchObject({ roomnum, mode: "class", title: "webhooks", host_uid: "wh-teacher", begin_imseq: 1 });
    // attendance.ready: each member's minutes are their stays' (merged), first join, last leave, as PostgreSQL has them.
    const attendance = receiver.received.find((r) => r.roomnum === roomnum && r.type === "attendance.ready")!;
    const stays = await t.server.db.classMember.findMany({ where: { roomnum }, include: { account: true }, orderBy: { id: "asc" } });
    expect(attendance.data.members).toEqual(
      ["wh-teacher", "wh-s1", "wh-s2"].map((uid) => {
        const own = stays.filter((s) => s.account.uid === uid);
        const ms = own.reduce((sum, s) => sum + (s.leftAt!.getTime() - s.joinedAt.getTime()), 0);
        return { uid, role: own[0]!.role, minutes: Math.round(ms / 6000) / 10, first_join: own[0]!.joinedAt.getTime() / 1000, last_leave: Math.max(...own.map((s) => s.leftAt!.getTime())) / 1000, stays: own.length };
      }),
    );
    const deliveries = await t.server.db.webhookDelivery.findMany({ where: { event: { roomnum } } });
    expect(deliveries.map((d) => d.status)).toEqual(expected.map(() => "delivered"));
  });

  test("the console shows the app's deliveries and their attempts", async () => {
    await t.server.services.operators.add("wh-desk", "correct horse battery", [TEST_APP.sdkAppId]);
    const login = await fetch(`${t.url}/api/v1/console/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: "wh-desk", pwd: "correct horse battery" }) });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const answer = await fetch(`${t.url}/api/v1/console/webhooks?appid=${TEST_APP.sdkAppId}`, { headers: { cookie } });
    const { deliveries } = (await answer.json()) as { deliveries: Array<Record<string, unknown>> };
    expect(deliveries.length).toBeGreaterThanOrEqual(9);
    expect(deliveries[0]).toMatchObject({ type: "attendance.ready", endpoint: "lms", status: "delivered", attempts: 1, last_status: 204, last_error: "" });
    expect(deliveries.at(-1)).toMatchObject({ type: "course.created" });
  });

  test("a change that does not happen sends nothing: a start IM refuses writes no event", async () => {
    const T = await signUp(t, "wh-teacher2", 1);
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "refused" })).body.data.roomnum as number;
    t.im.mode = "error";
    try {
      expect((await t.call("live", "startcourse", { ...C, token: T, roomnum })).body.errorCode).toBe(10103);
    } finally {
      t.im.mode = "ok";
    }
    expect(await t.server.db.webhookEvent.count({ where: { roomnum, type: { not: "course.created" } } })).toBe(0);
  });
});

describe("after the class, and live rooms", () => {
  test("recording.stored once per file, replay.ready with the index and videos, replay.failed after the last attempt; a live room's open, join, leave, close", async () => {
    const env = { REPLAY_INDEX_DELAY_S: "0", REPLAY_INDEX_ATTEMPTS: "1", LIVE_APPID: String(TEST_APP.sdkAppId) };
    await withReceiver({ env, tencentReplayIndex: true }, async (t, receiver) => {
      const T = await signUp(t, "wv-teacher", 1);
      const room = async (title: string) => {
        const roomnum = (await t.call("live", "create", { ...C, token: T, title })).body.data.roomnum as number;
        await t.call("live", "startcourse", { ...C, token: T, roomnum });
        return roomnum;
      };
      const recorded = await room("recorded");
      const file = recordingFileEvent(recorded, "wv-teacher", TEST_CALLBACK_KEY, { file_id: "wv-file-1" });
      expect((await t.call("live", "reccall", file)).text).toBe('{"code":0}');
      expect((await t.call("live", "reccall", file)).text).toBe('{"code":0}');
      await t.call("live", "exitroom", { ...C, token: T, roomnum: recorded });
      t.tencent.replayIndex.mode = "immediate";
      await t.server.replayScheduler.run(Date.now() + 60_000);
      await eventually(() => receiver.eventsOf(recorded).includes("replay.ready"), "replay.ready");
      expect(receiver.eventsOf(recorded)).toEqual(["course.created", "course.started", "member.joined wv-teacher", "recording.stored wv-teacher", "course.ended (teacher)", "attendance.ready", "replay.ready"]);
      expect(receiver.received.find((r) => r.roomnum === recorded && r.type === "recording.stored")!.data).toMatchObject({ file_id: "wv-file-1", uid: "wv-teacher", duration: 7 });
      const ready = receiver.received.find((r) => r.roomnum === recorded && r.type === "replay.ready")!.data;
      const row = await t.server.db.course.findUniqueOrThrow({ where: { roomnum: recorded } });
      expect(ready).toMatchObject({ roomnum: recorded, title: "recorded", index_url: row.replayIndexUrl, begin_imseq: row.startImSeq, end_imseq: row.endImSeq, videos: [expect.objectContaining({ file_id: "wv-file-1" })] });

      const failing = await room("failing");
      await t.call("live", "exitroom", { ...C, token: T, roomnum: failing });
      t.tencent.replayIndex.mode = "fail";
      await t.server.replayScheduler.run(Date.now() + 60_000);
      await eventually(() => receiver.eventsOf(failing).includes("replay.failed"), "replay.failed");
      expect(receiver.received.find((r) => r.roomnum === failing && r.type === "replay.failed")!.data).toMatchObject({ roomnum: failing, attempts: 1, error: expect.stringMatching(/^\[/) });

      const host = await signUp(t, "wv-host", 1);
      const viewer = await signUp(t, "wv-viewer", 0);
      const live = (await t.call("live", "create", { token: host, type: "live" }, { path: "/sxb/index.php" })).body.data.roomnum as number;
      const report = { token: host, room: { title: "show", roomnum: live, type: "live", groupid: String(live), cover: "", appid: TEST_APP.sdkAppId, device: 1, videotype: 0 } };
      expect((await t.call("live", "reportroom", report, { path: "/sxb/index.php" })).body.errorCode).toBe(0);
      expect((await t.call("live", "reportmemid", { token: viewer, roomnum: live, role: 0, operate: 0 }, { path: "/sxb/index.php" })).body.errorCode).toBe(0);
      expect((await t.call("live", "reportmemid", { token: viewer, roomnum: live, role: 0, operate: 1 }, { path: "/sxb/index.php" })).body.errorCode).toBe(0);
      expect((await t.call("live", "exitroom", { token: host, roomnum: live, type: "live" }, { path: "/sxb/index.php" })).body.errorCode).toBe(0);
      await eventually(() => receiver.eventsOf(live).length >= 5, "the live room's events");
      expect(receiver.eventsOf(live)).toEqual(["course.started", "member.joined wv-host", "member.joined wv-viewer", "member.left wv-viewer (left)", "course.ended (teacher)"]);
      expect(receiver.received.find((r) => r.roomnum === live && r.type === "course.started")!.data).toMatchObject({ mode: "live", host_uid: "wv-host" });
      expect(receiver.refused).toEqual([]);
    });
  });
});

describe("delivery", () => {
  test("a receiver that fails, then recovers, gets every event, in order; the retries are recorded", async () => {
    await withReceiver({ answer: (call, res) => res.writeHead(call <= 3 ? 503 : 200).end("ok") }, async (t, receiver) => {
      const [T, S] = [await signUp(t, "wr-teacher", 1), await signUp(t, "wr-student", 0)];
      const roomnum = (await t.call("live", "create", { ...C, token: T, title: "flaky" })).body.data.roomnum as number;
      await t.call("live", "startcourse", { ...C, token: T, roomnum });
      await t.call("live", "reportmemid", { ...C, token: S, roomnum, operate: 0 });
      await t.call("live", "exitroom", { ...C, token: T, roomnum });
      await eventually(() => receiver.eventsOf(roomnum).length >= 6, "every event after the failures");
      expect(receiver.eventsOf(roomnum)).toEqual(["course.created", "course.started", "member.joined wr-teacher", "member.joined wr-student", "course.ended (teacher)", "attendance.ready"]);
      // The first event was refused three times: each attempt was the same event (same id), and nothing after it went first.
      expect(receiver.received.slice(0, 4).map((r) => r.type)).toEqual(["course.created", "course.created", "course.created", "course.created"]);
      expect(new Set(receiver.received.slice(0, 4).map((r) => r.id)).size).toBe(1);
      await eventually(async () => (await t.server.db.webhookDelivery.count({ where: { status: "delivered" } })) === 6, "all delivered");
      const first = await t.server.db.webhookDelivery.findFirstOrThrow({ where: { event: { roomnum, type: "course.created" } } });
      expect(first).toMatchObject({ status: "delivered", attempts: 4, lastStatus: 200, lastError: "" });
    });
  });

  test("two instances deliver each event once", async () => {
    const receiver = new Receiver();
    await receiver.start();
    const a = await startTestServer(webhookEnv(receiver.url));
    const b = await startTestServer(webhookEnv(receiver.url), { keepStores: true });
    try {
      const T = await signUp(a, "w2-teacher", 1);
      const students = await Promise.all(Array.from({ length: 8 }, (_, i) => signUp(a, `w2-s${i}`, 0)));
      const roomnum = (await a.call("live", "create", { ...C, token: T, title: "two" })).body.data.roomnum as number;
      await b.call("live", "startcourse", { ...C, token: T, roomnum });
      await Promise.all(students.map((token, i) => (i % 2 ? a : b).call("live", "reportmemid", { ...C, token, roomnum, operate: 0 })));
      await a.call("live", "exitroom", { ...C, token: T, roomnum });
      await eventually(() => receiver.eventsOf(roomnum).length >= 13, "every event");
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.received.filter((r) => r.roomnum === roomnum)).toHaveLength(13);
      expect(receiver.eventsOf(roomnum).slice(0, 3)).toEqual(["course.created", "course.started", "member.joined w2-teacher"]);
      expect(receiver.eventsOf(roomnum).slice(-2)).toEqual(["course.ended (teacher)", "attendance.ready"]);
    } finally {
      await b.close();
      await a.close();
      await receiver.close();
    }
  });

  test("an endpoint that hangs, or answers 3 MB, does not slow the server: heartbeats answer meanwhile, the hanging call times out and is retried", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, "x");
    const answer: Receiver["answer"] = (call, res) => {
      if (call === 1) return; // hangs: never answers
      res.writeHead(200, { "content-type": "text/plain" }).end(big);
    };
    await withReceiver({ answer, env: { WEBHOOK_TIMEOUT_MS: "700" } }, async (t, receiver) => {
      const T = await signUp(t, "wh-hang", 1);
      const roomnum = (await t.call("live", "create", { ...C, token: T, title: "hang" })).body.data.roomnum as number;
      await t.call("live", "startcourse", { ...C, token: T, roomnum });
      await eventually(() => receiver.calls >= 1, "the hanging call");
      for (let i = 0; i < 5; i++) expect((await t.call("live", "heartbeat", { ...C, token: T, roomnum })).body.errorCode).toBe(0);
      await eventually(async () => (await t.server.db.webhookDelivery.count({ where: { status: "delivered" } })) === 3, "the three events delivered");
      const first = await t.server.db.webhookDelivery.findFirstOrThrow({ where: { event: { type: "course.created" } } });
      // The hanging call timed out; the next one was answered (a busy machine may need one more).
      expect(first.attempts).toBeGreaterThanOrEqual(2);
    });
  });

  test("a redirect is not followed: the delivery fails and is retried, the target never called", async () => {
    const target = new Receiver();
    await target.start();
    const answer: Receiver["answer"] = (_call, res) => res.writeHead(302, { location: target.url }).end();
    await withReceiver({ answer }, async (t) => {
      const T = await signUp(t, "wh-redirect", 1);
      await t.call("live", "create", { ...C, token: T, title: "redirected" });
      await eventually(async () => (await t.server.db.webhookDelivery.findFirst({ where: { attempts: { gte: 2 } } })) !== null, "a retry");
      const delivery = await t.server.db.webhookDelivery.findFirstOrThrow();
      expect(delivery).toMatchObject({ status: "pending", lastStatus: 302, lastError: "HTTP 302: redirects are not followed" });
      expect(target.calls).toBe(0);
    });
    await target.close();
  });

  test("an internal address is refused unless WEBHOOKS_ALLOW_PRIVATE (production's default is off): nothing is sent, the error is recorded", async () => {
    await withReceiver({ env: { WEBHOOKS_ALLOW_PRIVATE: "false", WEBHOOK_RETRY_FOR_S: "1" } }, async (t, receiver) => {
      const T = await signUp(t, "wh-ssrf", 1);
      const roomnum = (await t.call("live", "create", { ...C, token: T, title: "ssrf" })).body.data.roomnum as number;
      await t.call("live", "startcourse", { ...C, token: T, roomnum });
      await eventually(async () => (await t.server.db.webhookDelivery.count({ where: { status: "failed" } })) >= 1, "the delivery given up");
      const first = await t.server.db.webhookDelivery.findFirstOrThrow({ where: { status: "failed" }, orderBy: { id: "asc" } });
      expect(first.lastError).toBe("127.0.0.1 resolves to 127.0.0.1, an internal address (WEBHOOKS_ALLOW_PRIVATE is off)");
      expect(receiver.calls).toBe(0);
    });
  });

  test.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["172.31.255.255", true],
    ["172.32.0.1", false],
    ["192.168.0.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["8.8.8.8", false],
    ["::1", true],
    ["::", true],
    ["fd00::1", true],
    ["fe80::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:8.8.8.8", false],
    ["2606:4700::1111", false],
    ["not an address", true],
  ])("%s internal: %s", (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });
});

describe("WEBHOOKS is checked at start", () => {
  const endpoint = { name: "lms", appid: TEST_APP.sdkAppId, url: "https://lms.example/hooks", secret: SECRET };
  const load = (webhooks: unknown, extra: Record<string, string> = {}) => () => loadConfig({ WEBHOOKS: JSON.stringify(webhooks), ...extra });

  test("a good list; internal addresses allowed in development, refused with WEBHOOKS_ALLOW_PRIVATE=false (production's default)", () => {
    expect(load([endpoint])().webhooks).toMatchObject({ endpoints: [endpoint], timeoutMs: 5000, retryForS: 86400, firstRetryMs: 5000, intervalMs: 1000, keepDays: 30, allowPrivate: true });
    // Development with the emulator: the school's receiver in the emulator; with real Tencent (IM_BASE_URL), none.
    expect(loadConfig({}).webhooks.endpoints).toEqual([expect.objectContaining({ name: "school-1400000000", url: "http://127.0.0.1:8081/__school/webhooks" })]);
    expect(loadConfig({ IM_BASE_URL: "https://console.tim.qq.com" }).webhooks.endpoints).toEqual([]);
    expect(load([], { WEBHOOKS_ALLOW_PRIVATE: "false" })().webhooks.allowPrivate).toBe(false);
  });

  test.each([
    ["a secret without whsec_", [{ ...endpoint, secret: "plain" }], "WEBHOOKS"],
    ["a short secret", [{ ...endpoint, secret: "whsec_c2hvcnQ=" }], "WEBHOOKS"],
    ["an ftp URL", [{ ...endpoint, url: "ftp://lms.example/x" }], "WEBHOOKS"],
    ["an unknown event", [{ ...endpoint, events: ["course.exploded"] }], "WEBHOOKS"],
    ["two endpoints of one name", [endpoint, { ...endpoint, url: "https://other.example/" }], "each endpoint needs a name of its own"],
    ["not a list", { ...endpoint }, "WEBHOOKS"],
  ])("refused: %s", (_name, webhooks, message) => {
    expect(load(webhooks)).toThrow(message);
  });

  test.each(["0", "-1", "1.5", "3651", "forever"])("WEBHOOK_KEEP_DAYS=%s refused", (days) => {
    expect(load([endpoint], { WEBHOOK_KEEP_DAYS: days })).toThrow("WEBHOOK_KEEP_DAYS");
  });
});

describe("keeping", () => {
  const DAY_MS = 86_400_000;
  const eventRow = (id: string, daysAgo: number) => ({ id, appid: TEST_APP.sdkAppId, roomnum: null, type: "course.created", payload: {}, occurredAt: new Date(Date.now() - daysAgo * DAY_MS) });
  // Not due for a day: the running worker leaves them as they are.
  const deliveryRow = (eventId: string, status: string, endpoint = "lms") => ({ eventId, endpoint, orderKey: `${endpoint}:app`, status, nextAttemptAt: new Date(Date.now() + DAY_MS) });

  test("events past WEBHOOK_KEEP_DAYS whose deliveries are all settled go, with their deliveries, at the start of an instance that sends (then hourly); pending and recent ones stay", async () => {
    const env = { WEBHOOK_KEEP_DAYS: "2" };
    await withReceiver({ env }, async (t, receiver) => {
      const db = t.server.db;
      // Events and their deliveries in one transaction, as the outbox writes them (this instance prunes meanwhile).
      await db.$transaction([
        db.webhookEvent.createMany({ data: [eventRow("evt_old_delivered", 3), eventRow("evt_old_failed", 3), eventRow("evt_old_pending", 3), eventRow("evt_old_mixed", 3), eventRow("evt_recent", 1)] }),
        db.webhookDelivery.createMany({
          data: [
            deliveryRow("evt_old_delivered", "delivered"),
            deliveryRow("evt_old_failed", "failed"),
            deliveryRow("evt_old_pending", "pending"),
            deliveryRow("evt_old_mixed", "delivered"),
            deliveryRow("evt_old_mixed", "pending", "crm"),
            deliveryRow("evt_recent", "delivered"),
          ],
        }),
      ]);
      const second = await startTestServer(webhookEnv(receiver.url, env), { keepStores: true });
      try {
        await eventually(async () => (await db.webhookEvent.count()) === 3, "the old settled events deleted");
        expect((await db.webhookEvent.findMany({ orderBy: { id: "asc" } })).map((e) => e.id)).toEqual(["evt_old_mixed", "evt_old_pending", "evt_recent"]);
        const left = await db.webhookDelivery.findMany({ orderBy: [{ eventId: "asc" }, { endpoint: "asc" }] });
        expect(left.map((d) => `${d.eventId} ${d.endpoint} ${d.status}`)).toEqual(["evt_old_mixed crm pending", "evt_old_mixed lms delivered", "evt_old_pending lms pending", "evt_recent lms delivered"]);
      } finally {
        await second.close();
      }
    });
  });

  test("pruning in batches takes every settled old event, and again finds nothing", async () => {
    // No endpoint: this instance prunes hourly only, so nothing prunes beside the calls below.
    const t = await startTestServer({ WEBHOOK_KEEP_DAYS: "1" });
    try {
      const db = t.server.db;
      const ids = Array.from({ length: 2500 }, (_, i) => `evt_batch_${String(i).padStart(4, "0")}`);
      await db.$transaction([db.webhookEvent.createMany({ data: ids.map((id) => eventRow(id, 2)) }), db.webhookDelivery.createMany({ data: ids.map((id) => deliveryRow(id, "delivered")) })]);
      expect(await t.server.services.webhooks.pruneSettled()).toBe(2500);
      expect(await db.webhookEvent.count()).toBe(0);
      expect(await db.webhookDelivery.count()).toBe(0);
      expect(await t.server.services.webhooks.pruneSettled()).toBe(0);
    } finally {
      await t.close();
    }
  });
});
