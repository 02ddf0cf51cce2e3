import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { OTHER_APP, sql, TEST_CALLBACK_KEY, testDatabaseUrl } from "./support/env";
import { liveCallbackSignature, nowSeconds, recordingFileEvent } from "./support/callbacks";
import { capturingLogger } from "./support/logs";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";
import { createLogger } from "../src/logger";
import { startServer } from "../src/server";

/**
 * Tencent's recording callback (protocol.md §9; tencent-formats.md §(a)) on both doors:
 * signed with the callback key, each file recorded once however often Tencent retries,
 * its 1004 marker posted once into the class's group, `{"code":0}` only once stored.
 */

let t: TestServer;
let T: string;
let S: string;
let room: number;
const logs = capturingLogger("debug");

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** A recording file of the test's class by teacher1, signed (Tencent's real 2017 payload). */
function recordingEvent(overrides: Record<string, unknown> = {}, signature = liveCallbackSignature(TEST_CALLBACK_KEY)): Record<string, unknown> {
  return { ...recordingFileEvent(room, "teacher1", TEST_CALLBACK_KEY), ...signature, ...overrides };
}

/** A stream's start (1) or end (0), as CSS posts it. */
function streamEvent(eventType: 0 | 1): Record<string, unknown> {
  return {
    app: "2121.livepush.myqcloud.com",
    appid: 1252033264,
    appname: "live",
    channel_id: "2121_15919131751",
    event_time: 1500000000,
    event_type: eventType,
    node: "100.121.160.92",
    sequence: "6674468118806626493",
    stream_id: "2121_15919131751",
    stream_param: `bizid=2121&groupid=${room}&userid=${b64("teacher1")}`,
    user_ip: "119.29.40.16",
    ...(eventType === 0 ? { errcode: 0, errmsg: "", push_duration: 120000 } : {}),
    ...liveCallbackSignature(TEST_CALLBACK_KEY),
  };
}

const reccall = (body: unknown, cmd = "reccall") => t.call("live", cmd, body);
const videos = () => sql<{ fileId: string; roomnum: number; uin: number; imSeq: number | null }>(`SELECT "fileId", roomnum, uin, "imSeq" FROM "VideoRecord" ORDER BY id`);
const markers = (roomnum = room) => t.im.messages.filter((m) => m.groupId === String(roomnum) && m.data.type === 1004);
const lastRecImSeq = async (roomnum = room) => (await sql<{ lastRecImSeq: number }>(`SELECT "lastRecImSeq" FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.lastRecImSeq;
const CODE_0 = { code: 0 };

beforeAll(async () => {
  t = await startTestServer({}, { log: logs.log });
  ({ T, S } = await signUpClassroom(t));
  room = (await t.call("live", "create", { ...C, token: T, title: "recorded" })).body.data.roomnum as number;
  await t.call("live", "startcourse", { ...C, token: T, roomnum: room });
});
afterAll(() => t.close());
beforeEach(async () => {
  await sql(`DELETE FROM "VideoRecord"`);
  await sql(`UPDATE "Course" SET "lastRecImSeq" = 0`);
});

describe("a recording file (event 100)", () => {
  test("is stored whole, announced by one 1004 marker whose MsgSeq becomes the class's last recording sequence; answer {code:0}", async () => {
    const answer = await reccall(recordingEvent());
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"code":0}');
    const [row] = await sql<Record<string, unknown>>(`SELECT * FROM "VideoRecord"`);
    const [teacher] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'teacher1'`);
    const [marker] = markers();
    expect(marker).toBeDefined();
    expect(row).toMatchObject({
      roomnum: room,
      uin: teacher!.uin,
      fileId: "9031868222958931071",
      videoId: "200025724_ac92b781a22c4a3e937c9e61c2624af7",
      videoUrl: "http://200025724.vod.myqcloud.com/200025724_ac92b781a22c4a3e937c9e61c2624af7.f0.flv",
      streamId: "2121_15919131751",
      fileFormat: "flv",
      startAt: new Date(1500000006000),
      endAt: new Date(1500000013000),
      mediaStartTime: "12345",
      fileSize: "437351",
      duration: 7,
      imSeq: marker!.msgSeq,
    });
    // The marker as the original sent it: the server's time, the file's facts in the original's key order.
    expect(Object.keys(marker!.data.value)).toEqual(["uid", "start_time", "end_time", "media_start_time", "file_size", "duration", "video_id", "video_url"]);
    expect(marker!.data.value).toEqual({
      uid: "teacher1",
      start_time: 1500000006,
      end_time: 1500000013,
      media_start_time: 12345,
      file_size: 437351,
      duration: 7,
      video_id: "200025724_ac92b781a22c4a3e937c9e61c2624af7",
      video_url: "http://200025724.vod.myqcloud.com/200025724_ac92b781a22c4a3e937c9e61c2624af7.f0.flv",
    });
    expect(Math.abs(marker!.data.timestamp - nowSeconds())).toBeLessThanOrEqual(2);
    expect(await lastRecImSeq()).toBe(marker!.msgSeq);
    expect(t.im.rejected).toEqual([]);
  });

  test("live.recendcall is the same command; POST /api/v1/callbacks/recording too", async () => {
    expect((await reccall(recordingEvent({ file_id: "f-alias" }), "recendcall")).text).toBe('{"code":0}');
    const rest = await t.rest("POST", "/callbacks/recording", { body: recordingEvent({ file_id: "f-rest" }) });
    expect(rest).toEqual({ status: 200, body: CODE_0 });
    expect((await videos()).map((v) => v.fileId)).toEqual(["f-alias", "f-rest"]);
    expect(markers().slice(-2).map((m) => m.msgSeq)).toEqual((await videos()).map((v) => v.imSeq));
  });

  test("Tencent's retries (the same file 3 times) make one row and one marker, each answered {code:0}", async () => {
    const before = markers().length;
    for (let i = 0; i < 3; i++) expect((await reccall(recordingEvent({ file_id: "f-retried" }))).body).toEqual(CODE_0);
    expect(await videos()).toHaveLength(1);
    expect(markers()).toHaveLength(before + 1);
  });

  test("the same file at once, several times over (a retry overtaking a slow answer): one row, one marker", async () => {
    const before = markers().length;
    t.im.delayMs = 100;
    try {
      const answers = await Promise.all(Array.from({ length: 4 }, () => reccall(recordingEvent({ file_id: "f-concurrent" }))));
      expect(answers.map((a) => a.body)).toEqual(answers.map(() => CODE_0));
    } finally {
      t.im.delayMs = 0;
    }
    expect(await videos()).toHaveLength(1);
    expect(markers()).toHaveLength(before + 1);
    expect((await videos())[0]!.imSeq).toBe(markers().at(-1)!.msgSeq);
  });

  test("one file delivered 21 times at once over every door and two instances: one row, one marker, the course's last recording sequence is the row's", async () => {
    const second = await startServer(t.server.config, { log: createLogger("silent") });
    /** Tencent's recording callback as either console may be set: the classroom's, REST, or the live dialect's. */
    const deliver = async (base: string, door: number, body: unknown) => {
      const path = ["/index.php?svc=live&cmd=reccall", "/api/v1/callbacks/recording", "/sxb/index.php?svc=live&cmd=callback"][door]!;
      const response = await fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: response.status, code: ((await response.json()) as { code: number }).code };
    };
    t.im.delayMs = 20; // deliveries overlap the first one's marker
    try {
      for (let round = 0; round < 3; round++) {
        const fileId = `f-storm-${round}`;
        const before = markers().length;
        const answers = await Promise.all(Array.from({ length: 21 }, (_, i) => deliver(i % 2 === 0 ? t.url : second.url, i % 3, recordingEvent({ file_id: fileId }))));
        expect(answers).toEqual(answers.map(() => ({ status: 200, code: 0 })));
        const announced = markers().slice(before);
        expect(announced).toHaveLength(1);
        const rows = (await videos()).filter((v) => v.fileId === fileId);
        expect(rows).toEqual([expect.objectContaining({ imSeq: announced[0]!.msgSeq })]);
        expect(await lastRecImSeq()).toBe(announced[0]!.msgSeq);
      }
    } finally {
      t.im.delayMs = 0;
      await second.close();
    }
  });

  test("without file_id the video id keys the file; the last recording sequence only grows", async () => {
    await reccall(recordingEvent({ file_id: undefined, video_id: "v-1" }));
    const first = await lastRecImSeq();
    await reccall(recordingEvent({ file_id: undefined, video_id: "v-2" }));
    expect(await lastRecImSeq()).toBeGreaterThan(first);
    expect((await videos()).map((v) => v.fileId)).toEqual(["v-1", "v-2"]);
  });

  test("`t` may come as a string (the old document); an unencoded + in the base64 user id is put back", async () => {
    const signature = liveCallbackSignature(TEST_CALLBACK_KEY);
    expect((await reccall(recordingEvent({ file_id: "f-t-string", t: String(signature.t), sign: signature.sign }))).body).toEqual(CODE_0);
    const plusUser = "ab>c"; // base64 "YWI+Yw==" holds a +
    await signUp(t, plusUser, 0);
    const raw = recordingEvent({ file_id: "f-plus", stream_param: `groupid=${room}&userid=${b64(plusUser)}` });
    expect(b64(plusUser)).toContain("+");
    expect((await reccall(raw)).body).toEqual(CODE_0);
    const [row] = await sql<{ uid: string }>(`SELECT a.uid FROM "VideoRecord" v JOIN "Account" a ON a.uin = v.uin WHERE v."fileId" = 'f-plus'`);
    expect(row!.uid).toBe(plusUser);
  });

  test("a file larger than 4 GB keeps its exact size", async () => {
    await reccall(recordingEvent({ file_id: "f-big", file_size: 5_000_000_123 }));
    expect((await sql<{ fileSize: string }>(`SELECT "fileSize" FROM "VideoRecord"`))[0]!.fileSize).toBe("5000000123");
  });
});

describe("stream events and others", () => {
  test.each([
    [1, "stream started"],
    [0, "stream ended"],
  ] as const)("event %d is accepted ({code:0}) and logged, nothing stored", async (eventType, message) => {
    const before = markers().length;
    expect((await reccall(streamEvent(eventType))).body).toEqual(CODE_0);
    expect(logs.lines.some((l) => l.msg === message && l.streamId === "2121_15919131751")).toBe(true);
    expect(await videos()).toEqual([]);
    expect(markers()).toHaveLength(before);
  });

  test("a snapshot (200) or any other event is accepted and ignored", async () => {
    expect((await reccall({ ...streamEvent(1), event_type: 200, pic_url: "http://x/a.jpg" })).body).toEqual(CODE_0);
    expect((await reccall({ ...streamEvent(1), event_type: 332 })).body).toEqual(CODE_0);
    expect(await videos()).toEqual([]);
  });
});

describe("authentication: sign = md5(CALLBACK_KEY + t), t not passed", () => {
  const refused = (info: string) => ({ status: 401, text: JSON.stringify({ code: 10101 }), info });
  test.each([
    ["no sign", { sign: undefined }, "callback not signed"],
    ["no t", { t: undefined }, "callback not signed"],
    ["t not a number", { t: "soon" }, "callback not signed"],
    ["an empty sign", { sign: "" }, "callback not signed"],
    ["a sign of another key", liveCallbackSignature("another-key"), "callback sign mismatch"],
    ["a sign of another t", { ...liveCallbackSignature(TEST_CALLBACK_KEY), t: nowSeconds() + 999 }, "callback sign mismatch"],
    ["an expired t", liveCallbackSignature(TEST_CALLBACK_KEY, nowSeconds() - 1), "callback sign expired"],
    // Tencent signs until now + 600 s: a t further than a day ahead would let a leaked signed payload last (up to 2^53 s).
    ["a t over a day ahead", liveCallbackSignature(TEST_CALLBACK_KEY, nowSeconds() + 86400 + 60), "callback sign expires too far ahead"],
  ])("%s → 401 {code:10101}, logged, nothing stored or posted", async (_what, signature, reason) => {
    const before = markers().length;
    logs.lines.length = 0;
    const answer = await reccall(recordingEvent(signature));
    expect({ status: answer.status, text: answer.text, info: reason }).toEqual(refused(reason));
    expect(logs.lines.find((l) => l.msg === "Tencent callback refused")).toMatchObject({ level: 40, reason });
    expect(await videos()).toEqual([]);
    expect(markers()).toHaveLength(before);
  });

  test("a t up to a day ahead is accepted (on both doors and in the live dialect); further is refused on each", async () => {
    const withT = (t0: number) => ({ ...streamEvent(1), ...liveCallbackSignature(TEST_CALLBACK_KEY, t0) });
    const doors = [
      (body: object) => reccall(body),
      async (body: object) => ({ status: (await t.rest("POST", "/callbacks/recording", { body })).status }),
      (body: object) => t.call("live", "callback", body, { path: "/sxb/index.php" }),
    ];
    for (const send of doors) {
      expect((await send(withT(nowSeconds() + 86400 - 60))).status).toBe(200);
      expect((await send(withT(nowSeconds() + 86400 + 60))).status).toBe(401);
    }
  });

  test("on REST as well; and before the payload is read (an unsigned bad payload is refused for its signature)", async () => {
    expect(await t.rest("POST", "/callbacks/recording", { body: recordingEvent({ sign: "0".repeat(32) }) })).toEqual({ status: 401, body: { code: 10101 } });
    expect((await reccall({})).status).toBe(401);
    expect((await reccall({ event_type: "x", t: 1 })).status).toBe(401);
  });

  test("the key never appears in the logs", () => {
    expect(logs.texts.join("\n")).not.toContain(TEST_CALLBACK_KEY);
  });
});

describe("payloads that can never be recorded: {code:N} with 200 (a retry cannot help), nothing stored", () => {
  test.each([
    ["event_type: undefined", { event_type: undefined }, "Lack of event_type"],
    ['event_type: "x"', { event_type: "x" }, "Invalid event_type"],
    ["stream_id: undefined", { stream_id: undefined }, "Lack of stream_id"],
    ["stream_id: 5", { stream_id: 5 }, "Invalid stream_id"],
    ["start_time: undefined", { start_time: undefined }, "Lack of start_time"],
    ['end_time: "late"', { end_time: "late" }, "Invalid end_time"],
    ["media_start_time: 1.5", { media_start_time: 1.5 }, "Invalid media_start_time"],
    ["file_size: -1", { file_size: -1 }, "Invalid file_size"],
    ["duration: null", { duration: null }, "Lack of duration"],
    // Beyond what can be stored: the column is int4, JavaScript dates end at 8.64e15 ms.
    ["duration: 2147483648", { duration: 2147483648 }, "Invalid duration"],
    ["start_time: 1e13", { start_time: 1e13 }, "Invalid start_time"],
    ["end_time: 2 ** 53 - 1", { end_time: 2 ** 53 - 1 }, "Invalid end_time"],
    ["video_id: undefined", { video_id: undefined }, "Lack of video_id"],
    ['video_id: ""', { video_id: "" }, "Invalid video_id"],
    ["video_url: 5", { video_url: 5 }, "Invalid video_url"],
    ['video_url: "aNULb"', { video_url: "a\u0000b" }, "Invalid video_url"],
    ["file_id: 5", { file_id: 5 }, "Invalid file_id"],
    ["stream_param: undefined", { stream_param: undefined }, "Lack of stream_param.groupid or Invalid"],
    ['stream_param: "userid=dGVhY2hlcjE="', { stream_param: "userid=dGVhY2hlcjE=" }, "Lack of stream_param.groupid or Invalid"],
    ['stream_param: "groupid=abc&userid=dGVhY2hlcjE="', { stream_param: "groupid=abc&userid=dGVhY2hlcjE=" }, "Lack of stream_param.groupid or Invalid"],
    ['stream_param: "groupid=99999999999&userid=dGVhY2hlcjE="', { stream_param: "groupid=99999999999&userid=dGVhY2hlcjE=" }, "Lack of stream_param.groupid or Invalid"],
    ['stream_param: "groupid=10001"', { stream_param: "groupid=10001" }, "Lack of stream_param.userid or Invalid"],
    ['stream_param: "groupid=10001&userid=not*base64"', { stream_param: "groupid=10001&userid=not*base64" }, "Lack of stream_param.userid or Invalid"],
    ['stream_param: "groupid=10001&userid=dGVhY2hlcjE"', { stream_param: "groupid=10001&userid=dGVhY2hlcjE" }, "Lack of stream_param.userid or Invalid"],
  ])("%s → {code:10003}, %j logged", async (_label, overrides, text) => {
    logs.lines.length = 0;
    const answer = await reccall(recordingEvent(overrides));
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { code: 10003 } });
    expect(logs.lines.find((l) => l.msg === "request")).toMatchObject({ command: "live.reccall", errorCode: 10003, errorInfo: text });
    expect(await videos()).toEqual([]);
  });

  test("an unknown class → {code:10100}; a user unknown in the class's app → {code:10005}", async () => {
    expect((await reccall(recordingEvent({ stream_param: `groupid=424242&userid=${b64("teacher1")}` }))).body).toEqual({ code: 10100 });
    expect((await reccall(recordingEvent({ stream_param: `groupid=${room}&userid=${b64("nobody")}` }))).body).toEqual({ code: 10005 });
    // The same id in another app is another user.
    await signUp(t, "other-app-user", 1, OTHER_APP);
    expect((await reccall(recordingEvent({ stream_param: `groupid=${room}&userid=${b64("other-app-user")}` }))).body).toEqual({ code: 10005 });
    // Ids are matched exactly, as at login.
    expect((await reccall(recordingEvent({ stream_param: `groupid=${room}&userid=${b64("TEACHER1")}` }))).body).toEqual({ code: 10005 });
    expect(await videos()).toEqual([]);
  });

  test("a body that is not JSON keeps the original's standard envelope", async () => {
    const answer = await t.call("live", "reccall", undefined, { raw: "{bad" });
    expect(answer.body).toEqual({ errorCode: 10002, errorInfo: "HTTP Request Json Parse Error" });
  });
});

describe("the marker cannot be posted (IM down): 500 so Tencent retries; the retry finishes with one marker", () => {
  test("the row is stored at once (nothing lost); the retry posts the marker and keeps its sequence", async () => {
    const before = markers().length;
    t.im.mode = "down";
    try {
      const answer = await reccall(recordingEvent({ file_id: "f-im-down" }));
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 500, body: { code: 90000 } });
    } finally {
      t.im.mode = "ok";
    }
    expect(await videos()).toMatchObject([{ fileId: "f-im-down", imSeq: null }]);
    expect(await lastRecImSeq()).toBe(0);
    expect((await reccall(recordingEvent({ file_id: "f-im-down" }))).body).toEqual(CODE_0);
    expect(markers()).toHaveLength(before + 1);
    expect(await videos()).toMatchObject([{ fileId: "f-im-down", imSeq: markers().at(-1)!.msgSeq }]);
    expect(await lastRecImSeq()).toBe(markers().at(-1)!.msgSeq);
  });
});

describe("a marker IM kept but whose answer was lost, retried after a later file's marker", () => {
  test("the retry gets the earlier sequence back; the course's last recording sequence does not go back", async () => {
    t.im.mode = "answerLost";
    try {
      expect((await reccall(recordingEvent({ file_id: "f-answer-lost" }))).status).toBe(500);
    } finally {
      t.im.mode = "ok";
    }
    const lostSeq = markers().at(-1)!.msgSeq;
    expect((await reccall(recordingEvent({ file_id: "f-after-lost" }))).body).toEqual(CODE_0);
    const laterSeq = markers().at(-1)!.msgSeq;
    const count = markers().length;
    expect(laterSeq).toBeGreaterThan(lostSeq);
    expect(await lastRecImSeq()).toBe(laterSeq);
    expect((await reccall(recordingEvent({ file_id: "f-answer-lost" }))).body).toEqual(CODE_0);
    const byFile = new Map((await videos()).map((v) => [v.fileId, v.imSeq]));
    expect(byFile.get("f-answer-lost")).toBe(lostSeq); // IM kept it once: the same message, its sequence
    expect(markers()).toHaveLength(count);
    expect(await lastRecImSeq()).toBe(laterSeq);
  });
});

describe("PostgreSQL down during a callback", () => {
  let pgProxy: TcpProxy;
  let f: TestServer;
  let roomnum: number;
  beforeAll(async () => {
    pgProxy = await startTcpProxy(5432);
    f = await startTestServer({ DATABASE_URL: pgProxy.via(testDatabaseUrl()), DATABASE_TIMEOUT_MS: "1000" }, { keepStores: true });
    const teacher = await signUp(f, "pg-teacher", 1);
    roomnum = (await f.call("live", "create", { ...C, token: teacher, title: "pg" })).body.data.roomnum as number;
    await f.call("live", "startcourse", { ...C, token: teacher, roomnum });
  });
  afterAll(async () => {
    await f.close();
    await pgProxy.close();
  });

  test("→ non-200 (Tencent retries); the retry once it is back records the file once", async () => {
    const event = recordingEvent({ file_id: "f-pg-down", stream_param: `groupid=${roomnum}&userid=${b64("pg-teacher")}` });
    pgProxy.cut();
    try {
      const answer = await f.call("live", "reccall", event);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 500, body: { code: 90000 } });
    } finally {
      pgProxy.restore();
    }
    expect(await videos()).toEqual([]);
    let retried: { status: number; body: unknown } | undefined;
    for (const giveUpAt = Date.now() + 15000; Date.now() < giveUpAt; await new Promise((r) => setTimeout(r, 200))) {
      const answer = await f.call("live", "reccall", event);
      retried = { status: answer.status, body: answer.body };
      if (answer.status === 200) break;
    }
    expect(retried).toEqual({ status: 200, body: CODE_0 });
    expect(await videos()).toMatchObject([{ fileId: "f-pg-down", roomnum }]);
    expect(f.im.messages.filter((m) => m.groupId === String(roomnum) && m.data.type === 1004)).toHaveLength(1);
  });
});

describe("Tencent's bypass recording (the emulator) after a class ends", () => {
  test("the recording callback arrives signed as Tencent signs it, and the class's video is recorded", async () => {
    t.tencent.recorder.enabled = true;
    try {
      const roomnum = (await t.call("live", "create", { ...C, token: T, title: "simulated" })).body.data.roomnum as number;
      await t.call("live", "startcourse", { ...C, token: T, roomnum });
      await t.call("live", "reportmemid", { ...C, token: S, roomnum, operate: 0 });
      await t.call("live", "exitroom", { ...C, token: T, roomnum });
      await t.tencent.recorder.settled();
      const delivery = t.tencent.recorder.deliveries.at(-1)!;
      expect(delivery.attempts).toEqual([{ status: 200, answer: '{"code":0}' }]);
      const { payload } = delivery;
      expect(payload).toMatchObject({ event_type: 100, stream_param: expect.stringContaining(`groupid=${roomnum}&userid=${encodeURIComponent(b64("teacher1"))}`) });
      const [row] = await sql<{ fileId: string; videoUrl: string; duration: number }>(`SELECT "fileId", "videoUrl", duration FROM "VideoRecord" WHERE roomnum = $1`, [roomnum]);
      expect(row).toEqual({ fileId: payload.file_id, videoUrl: payload.video_url, duration: payload.duration });
      expect(t.tencent.vod.media.get(String(payload.file_id))?.url).toBe(payload.video_url);
      expect(t.im.messages.filter((m) => m.groupId === String(roomnum)).map((m) => m.data.type)).toEqual([1001, 1003, 1002, 1004]);
    } finally {
      t.tencent.recorder.enabled = false;
    }
  });

  test("a callback the server refuses (another key) is retried as Tencent retries, 3 times, then dropped", async () => {
    const target = t.tencent.recorder.target!;
    t.tencent.recorder.target = { ...target, key: "not-the-servers-key" };
    try {
      t.tencent.recorder.record({ app: { sdkAppId: C.appid, secretKey: "", admin: "" }, groupId: String(room), uid: "teacher1", startS: 1500000000, endS: 1500000060 });
      await t.tencent.recorder.settled();
      expect(t.tencent.recorder.deliveries.at(-1)!.attempts.map((a) => a.status)).toEqual([401, 401, 401, 401]);
      expect(await videos()).toEqual([]);
    } finally {
      t.tencent.recorder.target = target;
    }
  });
});
