import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { sql, TEST_APP } from "./support/env";
import { verifyUserSigV2 } from "./support/usersig-verify";

/**
 * Server-side recording and relay push (ILVB videorelay 0x5 / 0x6) against the Tencent
 * emulator's videorelay endpoint, through the protocol and REST: who may, when, what is sent
 * (query, admin usersig, header, exactly the fields each operation allows), what is kept
 * (recordings and their files, pushes and their play URLs), idempotent repeats, and every
 * documented result code mapped to the caller with Tencent's meaning and advice.
 */

let t: TestServer;
let T: string;
let S: string;
let T2: string;

const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });
const relayRequests = () => t.tencent.videorelay.requests;
const lastRequest = () => relayRequests().at(-1)!;
const body = (request = lastRequest()) => request.body as { reqhead: Record<string, unknown>; reqbody: Record<string, Record<string, unknown>> };

/** What a class keeps of its relays: each recording and push row, oldest first. */
async function relayRowsOf(roomnum: number) {
  return {
    recordings: await sql<{ fileName: string; stoppedAt: Date | null; maybeRunning: boolean; fileIds: string[] }>(
      `SELECT "fileName", "stoppedAt", NOT "confirmed" AS "maybeRunning", "fileIds" FROM "Recording" WHERE roomnum = $1 ORDER BY id`,
      [roomnum],
    ),
    pushes: await sql<{ channelId: string; stoppedAt: Date | null; maybeRunning: boolean; liveUrls: unknown[] }>(
      `SELECT "channelId", "stoppedAt", NOT "confirmed" AS "maybeRunning", "liveUrls" FROM "LivePush" WHERE roomnum = $1 ORDER BY id`,
      [roomnum],
    ),
  };
}

/** Each request's sub-command and operation (5 record, 6 push; 1 start, 2 stop). */
const operations = (requests: Array<{ body: unknown }>) =>
  requests.map((request) => {
    const { reqhead, reqbody } = request.body as { reqhead: { uint32_sub_cmd: number }; reqbody: Record<string, { uint32_oper: number }> };
    return [reqhead.uint32_sub_cmd, Object.values(reqbody)[0]!.uint32_oper];
  });

const RELAY_TIMEOUT_MS = 3000;

async function livingClass(title = "relayed"): Promise<number> {
  const roomnum = (await live("create", T, { title })).body.data.roomnum as number;
  expect((await live("startcourse", T, { roomnum })).body.errorCode).toBe(0);
  return roomnum;
}

beforeAll(async () => {
  // Long enough that a busy machine's stall never turns an answered call into "no answer" (the no-answer test holds its call).
  t = await startTestServer({ VIDEORELAY_TIMEOUT_MS: String(RELAY_TIMEOUT_MS) });
  ({ T, S } = await signUpClassroom(t));
  T2 = await signUp(t, "teacher2", 1);
});
afterAll(() => t.close());
afterEach(() => {
  t.tencent.videorelay.fault = undefined;
  t.tencent.delayMs = 0;
});

describe("recording (0x5)", () => {
  test("start: the request as Tencent requires it (query, admin usersig, header, the start's fields only); the recording is kept", async () => {
    const roomnum = await livingClass();
    const answer = await live("startrecord", T, { roomnum });
    expect(answer.body).toMatchObject({ errorCode: 0, errorInfo: "", data: { file_name: expect.stringMatching(new RegExp(`^class_${roomnum}_\\d+$`)) } });
    const request = lastRequest();
    expect(Object.keys(request.query).sort()).toEqual(["apn", "contenttype", "identifier", "random", "sdkappid", "usersig"]);
    expect(request.query).toMatchObject({ apn: "0", contenttype: "json", identifier: TEST_APP.admin, sdkappid: String(TEST_APP.sdkAppId) });
    expect(Number(request.query.random)).toBeLessThanOrEqual(4294967295);
    const sig = verifyUserSigV2(request.query.usersig!, TEST_APP.secretKey);
    expect(sig.ok).toBe(true);
    expect(sig.doc).toMatchObject({ "TLS.identifier": TEST_APP.admin, "TLS.sdkappid": TEST_APP.sdkAppId });
    const { reqhead, reqbody } = body(request);
    expect(reqhead).toEqual({
      uint32_sub_cmd: 5,
      uint32_seq: expect.any(Number),
      uint32_auth_key: roomnum,
      uint32_sdk_appid: TEST_APP.sdkAppId,
      rpt_to_Account: ["teacher1"],
      bytes_cookie_buff: expect.any(String),
    });
    expect(reqbody).toEqual({ req_0x5: { uint32_oper: 1, string_file_name: answer.body.data.file_name, uint32_sdk_type: 1, uint32_record_data_type: 0 } });
    const [row] = await sql<{ fileName: string; stoppedAt: Date | null; uin: number }>(`SELECT * FROM "Recording" WHERE roomnum = $1`, [roomnum]);
    expect(row).toMatchObject({ fileName: answer.body.data.file_name, stoppedAt: null });
    expect((await live("roomlist", S, { index: 0, size: 1, roomnum })).body.data.rooms[0].recording).toBe(1);
  });

  test("a repeated start keeps the running recording (no second one); stop names the files, kept with it; a repeated stop is success", async () => {
    const roomnum = await livingClass();
    const started = (await live("startrecord", T, { roomnum })).body.data.file_name as string;
    const calls = relayRequests().length;
    expect((await live("startrecord", T, { roomnum })).body.data).toEqual({ file_name: started });
    expect(relayRequests()).toHaveLength(calls);
    const stopped = await live("stoprecord", T, { roomnum });
    expect(stopped.body.errorCode).toBe(0);
    const fileIds = stopped.body.data.file_ids as string[];
    expect(fileIds.length).toBeGreaterThanOrEqual(1);
    expect(fileIds.every((id) => t.tencent.videorelay.files.get(id)?.groupId === String(roomnum))).toBe(true);
    expect(body().reqbody).toEqual({ req_0x5: { uint32_oper: 2, uint32_sdk_type: 1, uint32_record_data_type: 0 } });
    const rows = await sql<{ fileIds: string[]; stoppedAt: Date | null }>(`SELECT "fileIds", "stoppedAt" FROM "Recording" WHERE roomnum = $1`, [roomnum]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.fileIds).toEqual(fileIds);
    expect(rows[0]!.stoppedAt).not.toBeNull();
    // Tencent answers 30000412 (already stopped): success, no files.
    expect((await live("stoprecord", T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "", data: { file_ids: [] } });
    expect((await live("roomlist", S, { index: 0, size: 1, roomnum })).body.data.rooms[0].recording).toBe(0);
  });

  test("the files' recording callbacks (the emulator's recording) are matched with the recording", async () => {
    t.tencent.recorder.enabled = true;
    try {
      const roomnum = await livingClass();
      await live("startrecord", T, { roomnum, type: 1 });
      expect(body().reqbody.req_0x5!.uint32_record_data_type).toBe(1);
      const fileIds = (await live("stoprecord", T, { roomnum, type: 1 })).body.data.file_ids as string[];
      await t.tencent.recorder.settled();
      const [recording] = await sql<{ id: number }>(`SELECT id FROM "Recording" WHERE roomnum = $1`, [roomnum]);
      const videos = await sql<{ fileId: string; recordingId: number }>(`SELECT "fileId", "recordingId" FROM "VideoRecord" WHERE roomnum = $1 AND "recordingId" IS NOT NULL`, [roomnum]);
      expect(videos).toEqual(fileIds.map((fileId) => ({ fileId, recordingId: recording!.id })));
    } finally {
      t.tencent.recorder.enabled = false;
    }
  });

  test("REST: POST and DELETE /courses/:roomnum/recording", async () => {
    const roomnum = await livingClass();
    const started = await t.rest("POST", `/courses/${roomnum}/recording`, { token: T, body: {} });
    expect(started).toMatchObject({ status: 201, body: { file_name: expect.any(String) } });
    const stopped = await t.rest("DELETE", `/courses/${roomnum}/recording`, { token: T });
    expect(stopped.status).toBe(200);
    expect(stopped.body.file_ids).toHaveLength(1);
    expect((await t.rest("POST", `/courses/${roomnum}/recording`, { token: S, body: {} })).status).toBe(403);
  });
});

describe("relay push (0x6)", () => {
  test("start: the start's fields; the uint64 channel id kept exact; play URLs kept and shown by roomlist, GET /courses, getroomplayurl and livestreamlist", async () => {
    const roomnum = await livingClass("pushed");
    const answer = await live("startpush", T, { roomnum });
    expect(answer.body.errorCode).toBe(0);
    expect(body().reqbody).toEqual({
      req_0x6: {
        uint32_oper: 1,
        uint32_live_code: 6,
        uint32_sdk_type: 1,
        str_channel_name: `class ${roomnum}`,
        str_channel_describe: "pushed",
        uint32_push_data_type: 0,
        uint32_tape_flag: 0,
        rpt_rate_type: [0],
      },
    });
    const channel = t.tencent.videorelay.pushes.get(`${TEST_APP.sdkAppId}:${roomnum}:teacher1:0`)!.channelId;
    expect(channel).toBeGreaterThan(2n ** 53n);
    const { data } = answer.body;
    expect(data.channel_id).toBe(channel.toString());
    expect(data.address).toMatch(/^rtmp:\/\/8888\.liveplay\.myqcloud\.com\/live\/8888_[0-9a-f]{32}$/);
    expect(data.address2).toBe(`${data.address.replace("rtmp://", "http://")}.flv`);
    expect(data.address3).toBe(`${data.address.replace("rtmp://", "http://")}.m3u8`);
    expect(data.live_urls.map((u: { type: number }) => u.type)).toEqual([5, 2, 1]);
    const [row] = await sql<{ channelId: string; liveUrls: unknown }>(`SELECT "channelId", "liveUrls" FROM "LivePush" WHERE roomnum = $1`, [roomnum]);
    expect(row!.channelId).toBe(channel.toString());
    const room = (await live("roomlist", S, { index: 0, size: 1, roomnum })).body.data.rooms[0];
    expect(room.live_urls).toEqual(data.live_urls);
    expect((await t.rest("GET", `/courses/${roomnum}`, { token: S })).body.live_urls).toEqual(data.live_urls);
    const play = await live("getroomplayurl", S, { roomnum });
    expect(play.body.data).toEqual({ cover: "", address: data.address, address2: data.address2, address3: data.address3 });
    expect((await t.rest("GET", `/courses/${roomnum}/play-urls`, { token: S })).body).toEqual(play.body.data);
    const streams = (await live("livestreamlist", S, { index: 0, size: 50 })).body.data;
    expect(streams.videos).toContainEqual({ uid: "teacher1", roomnum, title: "pushed", cover: "", address: data.address, address2: data.address2, address3: data.address3 });
    expect((await t.rest("GET", "/streams?limit=50", { token: S })).body).toEqual(streams);
  });

  test("a repeated start keeps the push; stop (and REST DELETE) ends it, its URLs leave the lists; a repeated stop is success", async () => {
    const roomnum = await livingClass();
    const first = (await live("startpush", T, { roomnum })).body.data;
    expect((await live("startpush", T, { roomnum })).body.data).toEqual(first);
    expect(await t.rest("DELETE", `/courses/${roomnum}/push`, { token: T })).toEqual({ status: 204, body: undefined });
    expect(body().reqbody).toEqual({ req_0x6: { uint32_oper: 2, uint32_sdk_type: 1, uint32_push_data_type: 0 } });
    expect((await live("getroomplayurl", S, { roomnum })).body.data).toEqual({ cover: "", address: "", address2: "", address3: "" });
    expect((await live("roomlist", S, { index: 0, size: 1, roomnum })).body.data.rooms[0].live_urls).toEqual([]);
    // Tencent answers 40000412 (already stopped): success.
    expect((await live("stoppush", T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    const rows = await sql<{ stoppedAt: Date | null }>(`SELECT "stoppedAt" FROM "LivePush" WHERE roomnum = $1`, [roomnum]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.stoppedAt).not.toBeNull();
    expect((await t.rest("POST", `/courses/${roomnum}/push`, { token: T, body: { type: 1 } })).status).toBe(201);
    expect(body().reqbody.req_0x6!.uint32_push_data_type).toBe(1);
  });
});

describe("who and when", () => {
  test.each(["startrecord", "stoprecord", "startpush", "stoppush"])("%s: owner only, living only, known course, valid fields; nothing sent otherwise", async (cmd) => {
    const roomnum = await livingClass();
    const calls = relayRequests().length;
    expect((await live(cmd, S, { roomnum })).body).toEqual({ errorCode: 10101, errorInfo: "only the teacher who created the course can record or push it." });
    expect((await live(cmd, T2, { roomnum })).body.errorCode).toBe(10101);
    expect((await live(cmd, T, { roomnum: 424242 })).body).toEqual({ errorCode: 10100, errorInfo: "get room info failed" });
    expect((await live(cmd, T, {})).body).toEqual({ errorCode: 10003, errorInfo: "Lack of roomnum" });
    expect((await live(cmd, T, { roomnum, type: 2 })).body).toEqual({ errorCode: 10003, errorInfo: "invalid type" });
    const created = (await live("create", T, { title: "not started" })).body.data.roomnum as number;
    expect((await live(cmd, T, { roomnum: created })).body).toEqual({ errorCode: 10102, errorInfo: "only state=living room can record or push" });
    expect(relayRequests()).toHaveLength(calls);
  });

  test("getroomplayurl and livestreamlist: any user of the app; an unknown course is 10100", async () => {
    expect((await live("getroomplayurl", S, { roomnum: 424242 })).body.errorCode).toBe(10100);
    expect((await live("livestreamlist", S, { index: 0, size: 51 })).body).toEqual({
      errorCode: 10003,
      errorInfo: "Page size should be a positive integer(not larger than 50)",
    });
  });
});

/** The documented codes (../shared/seeds/ilvb-backend-api-videorelay-zh.md), with Tencent's meaning, written here independently of the server's table. */
const RECORD_CODES: Array<[number, string]> = [
  [30000000, "SDK请求解析失败"],
  [30000001, "SDK请求解析失败-没有录制请求包体"],
  [30000002, "SDK请求解析失败-没有录制文件名字段"],
  [30000003, "SDK请求解析失败-没有录制请求操作字段"],
  [30000004, "SDK请求解析失败-视频源类型错误（摄像头/桌面等）"],
  [30000201, "请求服务器内部数据打包错误"],
  [30000202, "请求服务器内部数据打包错误"],
  [30000203, "请求服务器内部数据打包错误"],
  [30000207, "请求录制服务器通讯错误-拉取录制服务器地址失败"],
  [30000208, "请求录制服务器通讯错误-请求录制服务器超时"],
  [30000301, "解析录制服务器回包错误-数据包解析失败"],
  [30000302, "解析录制服务器回包错误-数据包解析失败"],
  [30000303, "解析录制服务器回包错误-没有返回IP"],
  [30000304, "解析录制服务器回包错误-没有返回端口"],
  [30000305, "解析录制服务器回包错误-没有返回结果"],
  [30000401, "查询房间获取grocery服务IP错误"],
  [30000402, "查询房间拉取grocery数据错误"],
  [30000403, "查询房间拉取grocery不存在（房间不存在）"],
  [30000404, "查询房间流控服务器超时"],
  [30000405, "查询房间回包错误-数据包解析失败"],
  [30000406, "查询房间回包错误-数据包解析失败"],
  [30000407, "查询房间回包错误-数据包解析失败"],
  [30000408, "查询房间回包错误-没有返回结果"],
  [30000409, "查询房间回包错误-数据包解析失败"],
  [30000410, "录制的房间不存在"],
  [30000411, "录制的房间不存在，或发起录制的用户不存在"],
  [30000412, "停止录制重复发送，用户已经停止录制"],
  [30000413, "停止录制重复发送，用户已经停止录制"],
  [30000414, "查询房间-服务器内部操作类型错误"],
  [30000415, "启动录制重复发送，用户正在录制；或者发起录制的用户不存在"],
];
const PUSH_CODES: Array<[number, string]> = [
  [40000000, "SDK请求解析失败"],
  [40000001, "SDK请求解析失败-没有推流请求包体"],
  [40000002, "SDK请求解析失败-没有推流请求操作字段"],
  [40000003, "SDK请求解析失败-缺少推流请求的输出编码（HLS/RTMP等）"],
  [40000004, "SDK请求解析失败-视频源类型错误（摄像头/桌面等）"],
  [40000005, "SDK请求解析失败-请求操作错误（请求推流、停止推流）"],
  [40000201, "请求服务器内部数据打包错误"],
  [40000202, "请求服务器内部数据打包错误"],
  [40000203, "请求服务器内部数据打包错误"],
  [40000207, "请求推流服务器通讯错误-拉取推流服务器地址失败"],
  [40000208, "请求推流服务器通讯错误-请求推流服务器超时"],
  [40000301, "解析推流服务器回包错误-数据包解析失败"],
  [40000302, "解析推流服务器回包错误-数据包解析失败"],
  [40000303, "解析推流服务器回包错误-没有返回IP"],
  [40000304, "解析推流服务器回包错误-没有返回端口"],
  [40000305, "解析推流服务器回包错误-没有返回结果"],
  [40000306, "解析推流服务器回包错误-返回url长度溢出"],
  [40000401, "查询房间获取grocery服务IP错误"],
  [40000402, "查询房间拉取grocery数据错误"],
  [40000403, "查询房间拉取grocery不存在（请求推流的房间不存在）"],
  [40000404, "查询房间流控服务器超时"],
  [40000405, "查询房间回包错误-数据包解析失败"],
  [40000406, "查询房间回包错误-数据包解析失败"],
  [40000407, "查询房间回包错误-数据包解析失败"],
  [40000408, "查询房间回包错误-没有返回结果"],
  [40000409, "查询房间回包错误-数据包解析失败"],
  [40000410, "请求推流的房间不存在"],
  [40000411, "发起推流用户不在房间内"],
  [40000412, "停止推流重复发送，用户已经停止推流"],
  [40000413, "停止推流重复发送，用户已经停止推流"],
  [40000414, "查询房间-服务器内部操作类型错误"],
  [40000415, "启动推流重复发送，用户正在推流"],
  [1001, "权限错误"],
  [20101, "通道数超过上限"],
  [20406, "用户欠费"],
];
/**
 * "Already started" answers a start, "already stopped" a stop: success either way. Not a push's
 * start: "already pushing" without its play URLs is recovered by a stop and a new start (tested
 * with lost answers below), and here Tencent answers 40000415 to that stop too: 10103.
 */
const ALREADY = { startrecord: [30000415], stoprecord: [30000412, 30000413], startpush: [], stoppush: [40000412, 40000413] } as const;

describe("every documented result code reaches the caller: 10103 with Tencent's code, meaning and advice (or success when it says it is done)", () => {
  let roomnum: number;
  beforeAll(async () => {
    roomnum = await livingClass("codes");
  });

  const cases = [
    ...RECORD_CODES.flatMap(([code, meaning]) => (["startrecord", "stoprecord"] as const).map((cmd) => ({ cmd, code, meaning }))),
    ...PUSH_CODES.flatMap(([code, meaning]) => (["startpush", "stoppush"] as const).map((cmd) => ({ cmd, code, meaning }))),
  ];
  test.each(cases)("$cmd answered $code", async ({ cmd, code, meaning }) => {
    // A start runs only when nothing runs (a running one is kept): end what the last case left.
    await sql(`UPDATE "Recording" SET "stoppedAt" = now() WHERE "stoppedAt" IS NULL`);
    await sql(`UPDATE "LivePush" SET "stoppedAt" = now() WHERE "stoppedAt" IS NULL`);
    t.tencent.videorelay.fault = { kind: "business", code };
    const answer = await live(cmd, T, { roomnum });
    if ((ALREADY[cmd] as readonly number[]).includes(code)) {
      expect(answer.body.errorCode).toBe(0);
      return;
    }
    const what = cmd.endsWith("record") ? "record" : "push";
    expect(answer.body).toEqual({
      errorCode: 10103,
      errorInfo: `${what} request to Tencent failed,code:${code},info:${meaning}`,
      data: { code, meaning, advice: expect.any(String), action: expect.any(String) },
    });
    expect(answer.body.data.advice.length).toBeGreaterThan(0);
  });

  test("record permission (1) and VOD balance (2) of the recording guide", async () => {
    for (const [code, meaning] of [
      [1, "没有录制权限"],
      [2, "点播余额不足"],
    ] as const) {
      t.tencent.videorelay.fault = { kind: "business", code };
      expect((await live("startrecord", T, { roomnum })).body.data).toMatchObject({ code, meaning, action: "check-account" });
    }
  });

  test.each([
    [-1, "解包错误"],
    [-2, "包体错误"],
    [-3, "内部服务失败"],
    [-4, "包头校验失败"],
    [-5, "av_token校验不通过"],
  ])("the common header's result %d", async (result, meaning) => {
    t.tencent.videorelay.fault = { kind: "header", result };
    expect((await live("startpush", T, { roomnum })).body).toMatchObject({ errorCode: 10103, data: { code: result, meaning } });
  });

  test("a start Tencent says it did not do (the gateway's refusal, a business code): 10103, nothing kept; one that may have been done (no answer, an answer too late, garbage, a reply that does not echo the header, Tencent's retryable failure): 10103, kept as maybe running and shown nowhere", async () => {
    const open = () => sql<{ maybeRunning: boolean }>(`SELECT NOT "confirmed" AS "maybeRunning" FROM "LivePush" WHERE roomnum = $1 AND "stoppedAt" IS NULL`, [roomnum]);
    const freshStart = async () => {
      await sql(`UPDATE "LivePush" SET "stoppedAt" = now() WHERE "stoppedAt" IS NULL`);
      return live("startpush", T, { roomnum });
    };
    t.tencent.videorelay.fault = { kind: "gateway", errorCode: 60015, errorInfo: "body account invalid" };
    expect((await freshStart()).body).toMatchObject({ errorCode: 10103, data: { code: 60015, meaning: "body account invalid" } });
    expect(await open()).toEqual([]);
    t.tencent.videorelay.fault = { kind: "business", code: 40000411 };
    expect((await freshStart()).body).toMatchObject({ errorCode: 10103, data: { code: 40000411 } });
    expect(await open()).toEqual([]);
    for (const fault of [{ kind: "down" }, { kind: "garbage" }, { kind: "noEcho" }, { kind: "business", code: 40000208 }, { kind: "header", result: -3 }] as const) {
      t.tencent.videorelay.fault = fault;
      expect((await freshStart()).body.errorCode).toBe(10103);
      expect(await open()).toEqual([{ maybeRunning: true }]);
    }
    t.tencent.videorelay.fault = undefined;
    let answer: () => void = () => undefined;
    t.tencent.videorelay.onArrival = () => new Promise<void>((resolve) => (answer = resolve)); // held: no answer in time
    try {
      expect((await freshStart()).body).toMatchObject({ errorCode: 10103, data: { code: 0, meaning: `no answer within ${RELAY_TIMEOUT_MS} ms` } });
    } finally {
      t.tencent.videorelay.onArrival = undefined;
      answer();
    }
    expect(await open()).toEqual([{ maybeRunning: true }]);
    expect((await live("getroomplayurl", S, { roomnum })).body.data).toMatchObject({ address: "", address2: "", address3: "" });
  });

  test("a start answered \"already stopped\" is not success (only the matching operation is idempotent)", async () => {
    await sql(`UPDATE "Recording" SET "stoppedAt" = now() WHERE "stoppedAt" IS NULL`);
    t.tencent.videorelay.fault = { kind: "business", code: 30000412 };
    expect((await live("startrecord", T, { roomnum })).body.errorCode).toBe(10103);
  });

  test("REST: 502 with the same code and data", async () => {
    t.tencent.videorelay.fault = { kind: "business", code: 40000411 };
    const answer = await t.rest("POST", `/courses/${roomnum}/push`, { token: T, body: {} });
    expect(answer).toEqual({
      status: 502,
      body: { errorCode: 10103, errorInfo: "push request to Tencent failed,code:40000411,info:发起推流用户不在房间内", data: expect.objectContaining({ code: 40000411, action: "check-room" }) },
    });
  });
});

describe("AUTO_RECORD and AUTO_PUSH", () => {
  let a: TestServer;
  let teacher: string;
  beforeAll(async () => {
    a = await startTestServer({ AUTO_RECORD: "true", AUTO_PUSH: "true", PUSH_LIVE_CODE: "1", PUSH_RATE_TYPES: "0,20" }, { keepStores: true });
    teacher = await signUp(a, "auto-teacher", 1);
    a.tencent.recorder.enabled = true;
  });
  afterAll(() => a.close());
  const call = (cmd: string, fields: Record<string, unknown>) => a.call("live", cmd, { ...C, token: teacher, ...fields });
  const relayRows = async (roomnum: number) => ({
    recordings: await sql<{ id: number; stoppedAt: Date | null; fileIds: string[] }>(`SELECT id, "stoppedAt", "fileIds" FROM "Recording" WHERE roomnum = $1`, [roomnum]),
    pushes: await sql<{ stoppedAt: Date | null; liveUrls: Array<{ type: number; rateType: number }> }>(`SELECT "stoppedAt", "liveUrls" FROM "LivePush" WHERE roomnum = $1`, [roomnum]),
  });

  test("startcourse starts both (push as configured: HLS, two rates); the reaper's end stops both, and the files' callbacks match the recording", async () => {
    const roomnum = (await call("create", { title: "auto" })).body.data.roomnum as number;
    expect((await call("startcourse", { roomnum })).body.errorCode).toBe(0);
    const started = await relayRows(roomnum);
    expect(started.recordings).toMatchObject([{ stoppedAt: null }]);
    expect(started.pushes).toMatchObject([{ stoppedAt: null }]);
    expect(started.pushes[0]!.liveUrls.map((u) => [u.type, u.rateType])).toEqual([
      [1, 0],
      [1, 20],
    ]);
    await a.server.reaper.sweep(Date.now()); // a fresh Redis: the first sweep builds presence
    expect((await a.server.reaper.sweep(Date.now() + 301000)).classesEnded).toBeGreaterThanOrEqual(1); // earlier tests' classes too
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state).toBe(2);
    const ended = await relayRows(roomnum);
    expect(ended.recordings[0]!.stoppedAt).not.toBeNull();
    expect(ended.recordings[0]!.fileIds.length).toBeGreaterThanOrEqual(1);
    expect(ended.pushes[0]!.stoppedAt).not.toBeNull();
    await a.tencent.recorder.settled();
    const videos = await sql<{ fileId: string; recordingId: number | null }>(`SELECT "fileId", "recordingId" FROM "VideoRecord" WHERE roomnum = $1 AND "recordingId" IS NOT NULL`, [roomnum]);
    expect(videos.map((v) => v.fileId).sort()).toEqual([...ended.recordings[0]!.fileIds].sort());
  });

  test("exitroom stops both", async () => {
    const roomnum = (await call("create", { title: "auto exit" })).body.data.roomnum as number;
    await call("startcourse", { roomnum });
    expect((await call("exitroom", { roomnum })).body.errorCode).toBe(0);
    const rows = await relayRows(roomnum);
    expect(rows.recordings[0]!.stoppedAt).not.toBeNull();
    expect(rows.pushes[0]!.stoppedAt).not.toBeNull();
    const stops = a.tencent.videorelay.requests.slice(-2).map((r) => (r.body as { reqbody: Record<string, { uint32_oper: number }> }).reqbody);
    expect(stops).toEqual([{ req_0x5: expect.objectContaining({ uint32_oper: 2 }) }, { req_0x6: expect.objectContaining({ uint32_oper: 2 }) }]);
  });

  test("a start Tencent refuses does not stop the class from starting; a stop it refuses at the end closes the relay all the same", async () => {
    const roomnum = (await call("create", { title: "auto refused" })).body.data.roomnum as number;
    a.tencent.videorelay.fault = { kind: "business", code: 30000411 };
    try {
      expect((await call("startcourse", { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    } finally {
      a.tencent.videorelay.fault = undefined;
    }
    expect(await relayRows(roomnum)).toEqual({ recordings: [], pushes: [] });
    expect((await call("startrecord", { roomnum })).body.errorCode).toBe(0);
    a.tencent.videorelay.fault = { kind: "business", code: 30000208 };
    try {
      expect((await call("exitroom", { roomnum })).body.errorCode).toBe(0);
    } finally {
      a.tencent.videorelay.fault = undefined;
    }
    expect((await relayRows(roomnum)).recordings[0]!.stoppedAt).not.toBeNull();
  });

  test("starts whose answers are lost at startcourse: the class starts, both are kept as maybe running; a push asked for then is recovered; exitroom stops both", async () => {
    const roomnum = (await call("create", { title: "auto lost" })).body.data.roomnum as number;
    const key = `${TEST_APP.sdkAppId}:${roomnum}:auto-teacher:0`;
    a.tencent.videorelay.fault = { kind: "answerLost" };
    try {
      expect((await call("startcourse", { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    } finally {
      a.tencent.videorelay.fault = undefined;
    }
    expect(a.tencent.videorelay.recordings.has(key)).toBe(true);
    expect(a.tencent.videorelay.pushes.has(key)).toBe(true);
    expect(await relayRowsOf(roomnum)).toMatchObject({ recordings: [{ stoppedAt: null, maybeRunning: true }], pushes: [{ stoppedAt: null, maybeRunning: true, channelId: "" }] });
    expect((await call("getroomplayurl", { roomnum })).body.data).toMatchObject({ address: "", address3: "" });

    const pushed = await call("startpush", { roomnum });
    expect(pushed.body.errorCode).toBe(0);
    expect(pushed.body.data.channel_id).toBe(a.tencent.videorelay.pushes.get(key)!.channelId.toString());
    expect(pushed.body.data.address3).toMatch(/\.m3u8$/);
    expect((await call("getroomplayurl", { roomnum })).body.data.address3).toBe(pushed.body.data.address3);

    const before = a.tencent.videorelay.requests.length;
    expect((await call("exitroom", { roomnum })).body.errorCode).toBe(0);
    expect(operations(a.tencent.videorelay.requests.slice(before))).toEqual([
      [5, 2],
      [6, 2],
    ]);
    expect(a.tencent.videorelay.recordings.has(key)).toBe(false);
    expect(a.tencent.videorelay.pushes.has(key)).toBe(false);
    const rows = await relayRowsOf(roomnum);
    expect([...rows.recordings, ...rows.pushes].every((row) => row.stoppedAt !== null)).toBe(true);
    // The lost start had started it: its stop named the files, kept with the recording.
    expect(rows.recordings[0]!.fileIds.length).toBeGreaterThanOrEqual(1);
  });
});

describe("relays never orphaned: videorelay answers lost (the emulator's answerLost: done at Tencent, the answer dropped)", () => {
  const relay = () => t.tencent.videorelay;
  const key = (roomnum: number, stream = 0) => `${TEST_APP.sdkAppId}:${roomnum}:teacher1:${stream}`;
  const loseAnswers = () => (relay().fault = { kind: "answerLost" });
  const requestsSince = (count: number) => operations(relayRequests().slice(count));
  const roomOf = async (roomnum: number) => (await live("roomlist", S, { index: 0, size: 1, roomnum })).body.data.rooms[0] as { recording: number; live_urls: unknown[] };

  test("a start is kept as maybe running before it is sent: an instance that dies waiting for the answer leaves it to be stopped at the end", async () => {
    // What the rows say when Tencent receives each start (whatever the answer, and however long the look takes).
    const seenByTencent = async (cmd: "startrecord" | "startpush") => {
      const roomnum = await livingClass();
      let seen: unknown;
      relay().onArrival = async () => {
        seen = await relayRowsOf(roomnum);
      };
      try {
        await live(cmd, T, { roomnum });
      } finally {
        relay().onArrival = undefined;
      }
      return seen;
    };
    expect(await seenByTencent("startrecord")).toMatchObject({ recordings: [{ stoppedAt: null, maybeRunning: true }], pushes: [] });
    expect(await seenByTencent("startpush")).toMatchObject({ recordings: [], pushes: [{ stoppedAt: null, maybeRunning: true, liveUrls: [] }] });
  });

  test("recording: a lost start is maybe running (shown nowhere); the retry finds it running under the name asked for: one recording, kept", async () => {
    const roomnum = await livingClass();
    loseAnswers();
    expect((await live("startrecord", T, { roomnum })).body).toMatchObject({ errorCode: 10103, data: { code: 0 } });
    const asked = body().reqbody.req_0x5!.string_file_name as string;
    expect(relay().recordings.get(key(roomnum))?.fileName).toBe(asked);
    expect((await relayRowsOf(roomnum)).recordings).toMatchObject([{ fileName: asked, stoppedAt: null, maybeRunning: true }]);
    expect((await roomOf(roomnum)).recording).toBe(0);

    relay().fault = undefined;
    const before = relayRequests().length;
    expect((await live("startrecord", T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "", data: { file_name: asked } });
    expect(requestsSince(before)).toEqual([[5, 1]]); // answered 30000415: already recording
    expect(body().reqbody.req_0x5!.string_file_name).toBe(asked);
    expect((await relayRowsOf(roomnum)).recordings).toMatchObject([{ fileName: asked, stoppedAt: null, maybeRunning: false }]);
    expect((await relayRowsOf(roomnum)).recordings).toHaveLength(1);
    expect((await roomOf(roomnum)).recording).toBe(1);

    const fileIds = (await live("stoprecord", T, { roomnum })).body.data.file_ids as string[];
    expect(fileIds.length).toBeGreaterThanOrEqual(1);
    expect(fileIds.every((id) => relay().files.get(id)?.fileName === asked)).toBe(true);
    expect((await relayRowsOf(roomnum)).recordings).toMatchObject([{ fileIds, stoppedAt: expect.any(Date) }]);
    expect(relay().recordings.has(key(roomnum))).toBe(false);
  });

  test("push: a lost start is maybe running (no play URLs shown); the retry stops and starts it again: correct play URLs, one push at Tencent", async () => {
    const roomnum = await livingClass("lost push");
    loseAnswers();
    expect((await live("startpush", T, { roomnum })).body).toMatchObject({ errorCode: 10103, data: { code: 0 } });
    const orphan = relay().pushes.get(key(roomnum))!.channelId;
    expect((await relayRowsOf(roomnum)).pushes).toEqual([{ channelId: "", stoppedAt: null, maybeRunning: true, liveUrls: [] }]);
    expect((await live("getroomplayurl", S, { roomnum })).body.data).toEqual({ cover: "", address: "", address2: "", address3: "" });
    expect((await live("livestreamlist", S, { index: 0, size: 50 })).body.data.videos.map((v: { roomnum: number }) => v.roomnum)).not.toContain(roomnum);

    relay().fault = undefined;
    const before = relayRequests().length;
    const retried = await live("startpush", T, { roomnum });
    expect(retried.body.errorCode).toBe(0);
    expect(requestsSince(before)).toEqual([
      [6, 1], // answered 40000415: already pushing, its channel and URLs unknown
      [6, 2],
      [6, 1],
    ]);
    const channel = relay().pushes.get(key(roomnum))!.channelId;
    expect(channel).not.toBe(orphan);
    const { data } = retried.body;
    expect(data.channel_id).toBe(channel.toString());
    expect(data.address).toMatch(/^rtmp:\/\/8888\.liveplay\.myqcloud\.com\/live\/8888_[0-9a-f]{32}$/);
    expect((await relayRowsOf(roomnum)).pushes).toMatchObject([{ channelId: channel.toString(), stoppedAt: null, maybeRunning: false }]);
    expect((await live("getroomplayurl", S, { roomnum })).body.data).toEqual({ cover: "", address: data.address, address2: data.address2, address3: data.address3 });
    expect((await roomOf(roomnum)).live_urls).toEqual(data.live_urls);
    expect((await live("livestreamlist", S, { index: 0, size: 50 })).body.data.videos).toContainEqual(expect.objectContaining({ roomnum, address: data.address }));
    // A further start keeps it (nothing sent).
    const calls = relayRequests().length;
    expect((await live("startpush", T, { roomnum })).body.data).toEqual(data);
    expect(relayRequests()).toHaveLength(calls);
  });

  test("a retry Tencent refuses leaves a maybe running relay as it was (the lost start may run): still stopped at the end", async () => {
    const roomnum = await livingClass();
    loseAnswers();
    await live("startpush", T, { roomnum });
    relay().fault = { kind: "business", code: 40000411 };
    expect((await live("startpush", T, { roomnum })).body).toMatchObject({ errorCode: 10103, data: { code: 40000411 } });
    expect((await relayRowsOf(roomnum)).pushes).toMatchObject([{ stoppedAt: null, maybeRunning: true }]);
    relay().fault = undefined;
    expect((await live("exitroom", T, { roomnum })).body.errorCode).toBe(0);
    expect(relay().pushes.has(key(roomnum))).toBe(false);
    expect((await relayRowsOf(roomnum)).pushes).toMatchObject([{ stoppedAt: expect.any(Date) }]);
  });

  test("already started without a record of ours (started elsewhere, or its row lost): a push is stopped and started again; a recording is kept as running", async () => {
    const roomnum = await livingClass();
    await live("startrecord", T, { roomnum });
    await live("startpush", T, { roomnum });
    const elsewhere = relay().pushes.get(key(roomnum))!.channelId;
    await sql(`DELETE FROM "Recording" WHERE roomnum = $1`, [roomnum]);
    await sql(`DELETE FROM "LivePush" WHERE roomnum = $1`, [roomnum]);

    const pushed = (await live("startpush", T, { roomnum })).body;
    expect(pushed.errorCode).toBe(0);
    const channel = relay().pushes.get(key(roomnum))!.channelId;
    expect(channel).not.toBe(elsewhere);
    expect(pushed.data.channel_id).toBe(channel.toString());
    expect((await live("getroomplayurl", S, { roomnum })).body.data.address).toBe(pushed.data.address);

    const recorded = (await live("startrecord", T, { roomnum })).body;
    expect(recorded.errorCode).toBe(0);
    expect((await relayRowsOf(roomnum)).recordings).toMatchObject([{ fileName: recorded.data.file_name, stoppedAt: null, maybeRunning: false }]);
    expect((await roomOf(roomnum)).recording).toBe(1);
    expect((await live("stoprecord", T, { roomnum })).body.data.file_ids.length).toBeGreaterThanOrEqual(1);
  });

  test("lost starts, then exitroom: both are stopped; nothing runs at Tencent", async () => {
    const roomnum = await livingClass();
    loseAnswers();
    await live("startrecord", T, { roomnum });
    await live("startpush", T, { roomnum });
    relay().fault = undefined;
    expect(relay().recordings.has(key(roomnum)) && relay().pushes.has(key(roomnum))).toBe(true);
    const before = relayRequests().length;
    expect((await live("exitroom", T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    expect(requestsSince(before)).toEqual([
      [5, 2],
      [6, 2],
    ]);
    expect(relay().recordings.has(key(roomnum))).toBe(false);
    expect(relay().pushes.has(key(roomnum))).toBe(false);
    const rows = await relayRowsOf(roomnum);
    expect(rows.recordings).toMatchObject([{ stoppedAt: expect.any(Date), fileIds: [expect.any(String)] }]);
    expect(rows.pushes).toMatchObject([{ stoppedAt: expect.any(Date) }]);
  });

  test("the camera and the shared screen are two tasks at Tencent: each is stopped by name, at the teacher's stop and at the class's end", async () => {
    const roomnum = await livingClass();
    for (const type of [0, 1]) {
      expect((await live("startrecord", T, { roomnum, type })).body.errorCode).toBe(0);
      expect((await live("startpush", T, { roomnum, type })).body.errorCode).toBe(0);
    }
    expect([0, 1].map((stream) => relay().recordings.has(key(roomnum, stream)) && relay().pushes.has(key(roomnum, stream)))).toEqual([true, true]);
    // Stopping the camera leaves the screen running.
    expect((await live("stoppush", T, { roomnum, type: 0 })).body.errorCode).toBe(0);
    expect([relay().pushes.has(key(roomnum, 0)), relay().pushes.has(key(roomnum, 1))]).toEqual([false, true]);
    const before = relayRequests().length;
    expect((await live("exitroom", T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    expect(requestsSince(before)).toEqual([
      [5, 2],
      [5, 2],
      [6, 2],
    ]);
    expect([...relay().recordings.keys(), ...relay().pushes.keys()].filter((k) => k.startsWith(`${TEST_APP.sdkAppId}:${roomnum}:`))).toEqual([]);
    const rows = await relayRowsOf(roomnum);
    expect([...rows.recordings, ...rows.pushes].every((row) => row.stoppedAt !== null)).toBe(true);
  });

  test("a lost stop: the teacher's stop answers 10103 and the relay stays running (a retry finds it stopped); at the class's end the relay is closed all the same", async () => {
    const roomnum = await livingClass();
    await live("startrecord", T, { roomnum });
    await live("startpush", T, { roomnum });
    loseAnswers();
    expect((await live("stoprecord", T, { roomnum })).body).toMatchObject({ errorCode: 10103, data: { code: 0 } });
    expect(relay().recordings.has(key(roomnum))).toBe(false);
    expect(await relayRowsOf(roomnum)).toMatchObject({ recordings: [{ stoppedAt: null, maybeRunning: false }], pushes: [{ stoppedAt: null }] });
    relay().fault = undefined;
    expect((await live("stoprecord", T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "", data: { file_ids: [] } });
    expect((await relayRowsOf(roomnum)).recordings).toMatchObject([{ stoppedAt: expect.any(Date) }]);

    loseAnswers();
    expect((await live("exitroom", T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    relay().fault = undefined;
    expect(relay().pushes.has(key(roomnum))).toBe(false);
    expect((await relayRowsOf(roomnum)).pushes).toMatchObject([{ stoppedAt: expect.any(Date) }]);
  });

  test("lost starts, then the reaper ends the class: both are stopped; nothing runs at Tencent", async () => {
    const roomnum = await livingClass();
    loseAnswers();
    await live("startrecord", T, { roomnum });
    await live("startpush", T, { roomnum });
    relay().fault = undefined;
    const now = Date.now();
    await t.server.reaper.sweep(now); // builds presence if Redis lost it
    const before = relayRequests().length;
    expect((await t.server.reaper.sweep(now + 301000)).classesEnded).toBeGreaterThanOrEqual(1); // earlier tests' classes too
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state).toBe(2);
    expect(requestsSince(before)).toEqual(expect.arrayContaining([[5, 2], [6, 2]]));
    expect(relay().recordings.has(key(roomnum))).toBe(false);
    expect(relay().pushes.has(key(roomnum))).toBe(false);
    const rows = await relayRowsOf(roomnum);
    expect([...rows.recordings, ...rows.pushes].map((row) => row.stoppedAt)).toEqual([expect.any(Date), expect.any(Date)]);
  });
});
