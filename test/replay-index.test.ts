import { INDEX_FILE_CALLBACK_COMMAND, INDEX_SERVICE_ERROR } from "../src/emulator";
import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { sql, TEST_APP, TEST_CALLBACK_KEY } from "./support/env";
import { imCallbackQuery, nowSeconds } from "./support/callbacks";
import { capturingLogger } from "./support/logs";

/**
 * The replay index (protocol.md §10, "Reaper and replay"): the scheduler asks the index
 * service (the emulator, as Tencent's) once a class is due, exactly once per attempt across
 * instances; an immediate answer or the index-file callback makes the class replayable;
 * failures are recorded and retried with backoff; the owner may ask now. Without a
 * service the server builds the index itself (test/replay-manifest.test.ts).
 */

interface CourseRow extends Record<string, unknown> {
  state: number;
  replayIndexStatus: string | null;
  replayIndexAttempts: number;
  replayIndexUrl: string;
  replayIndexDueAt: Date | null;
  replayIndexTriggeredAt: Date | null;
  replayIndexTriggerResult: number;
  replayIndexCreatedAt: Date | null;
  replayIndexCreatedResult: number;
  replayIndexError: string;
  startImSeq: number;
  endImSeq: number;
  lastRecImSeq: number;
}

const courseRow = async (roomnum: number) => (await sql<CourseRow>(`SELECT * FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!;
const makeDue = (roomnum: number) => sql(`UPDATE "Course" SET "replayIndexDueAt" = now() - interval '1 second' WHERE roomnum = $1`, [roomnum]);

/** The server's answer to an index-file callback: IM's shape. */
const IM_OK = { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" };
const imAnswer = (code: number, info: string) => ({ ActionStatus: "OK", ErrorCode: code, ErrorInfo: info });

/** A class that ran: the teacher started it, students came (one left), a recording arrived, the teacher ended it. */
async function endedClass(t: TestServer, tokens: { T: string; S: string; S2: string }, title = "replayed"): Promise<number> {
  const live = (cmd: string, token: string, fields: Record<string, unknown>) => t.call("live", cmd, { ...C, token, ...fields });
  const roomnum = (await live("create", tokens.T, { title })).body.data.roomnum as number;
  await live("startcourse", tokens.T, { roomnum });
  await live("reportmemid", tokens.S, { roomnum, operate: 0 });
  await live("reportmemid", tokens.S2, { roomnum, operate: 0 });
  await live("reportmemid", tokens.S2, { roomnum, operate: 1 });
  await t.tencent.recorder.settled();
  expect((await live("exitroom", tokens.T, { roomnum })).body.errorCode).toBe(0);
  return roomnum;
}

/** Posts the index-file callback as IM would, signed with the callback key. */
function indexCallback(t: TestServer, body: unknown, query: Record<string, string> = imCallbackQuery(TEST_CALLBACK_KEY)) {
  return t.call("live", "idxfileendcall", body, { query });
}

describe("with the index service (the emulator as Tencent's)", () => {
  let t: TestServer;
  let tokens: { T: string; S: string; S2: string };
  const logs = capturingLogger();
  beforeAll(async () => {
    t = await startTestServer({ REPLAY_INDEX_DELAY_S: "0", REPLAY_INDEX_BACKOFF_S: "30", REPLAY_INDEX_ATTEMPTS: "3" }, { tencentReplayIndex: true, log: logs.log });
    tokens = await signUpClassroom(t);
  });
  afterAll(() => t.close());
  afterEach(async () => {
    t.tencent.replayIndex.mode = "callback";
    // Each test judges its own class: what earlier ones left waiting is no longer due.
    await sql(`UPDATE "Course" SET "replayIndexDueAt" = NULL WHERE state = 2`);
  });
  const run = (nowMs?: number) => t.server.replayScheduler.run(nowMs);
  const requestsFor = (roomnum: number) => t.tencent.replayIndex.requests.filter((r) => r.body.GroupId === String(roomnum));

  test("an ended class is due at once (REPLAY_INDEX_DELAY_S=0): the service is asked with the IM range and every attendee, teacher first", async () => {
    const roomnum = await endedClass(t, tokens);
    expect(await courseRow(roomnum)).toMatchObject({ state: 2, replayIndexStatus: "waiting", replayIndexAttempts: 0 });
    t.tencent.replayIndex.mode = "silent";
    expect(await run()).toEqual([{ kind: "requested" }]);
    const [request] = requestsFor(roomnum);
    const row = await courseRow(roomnum);
    expect(request!.body).toEqual({
      GroupId: String(roomnum),
      MsgSeqStart: row.startImSeq,
      MsgSeqEnd: row.endImSeq,
      MaxMsgSeqVideoEnd: row.lastRecImSeq,
      UserList: [{ Account: "teacher1" }, { Account: "student1" }, { Account: "student2" }],
    });
    expect(row.startImSeq).toBeGreaterThan(0);
    expect(row.endImSeq).toBeGreaterThan(row.startImSeq);
    // Checked as IM checks a REST call: the admin, its usersig, a configured app.
    expect(request!.query).toMatchObject({ sdkappid: String(TEST_APP.sdkAppId), identifier: TEST_APP.admin, contenttype: "json" });
    expect(row).toMatchObject({ state: 2, replayIndexStatus: "requested", replayIndexAttempts: 1, replayIndexTriggerResult: 0 });
    expect(row.replayIndexTriggeredAt).not.toBeNull();
    // Asked once: the next run finds nothing due until the callback deadline.
    expect(await run()).toEqual([]);
    expect(requestsFor(roomnum)).toHaveLength(1);
  });

  test("an answer carrying the index makes the class replayable at once (state 3, its URL); the file holds the class's messages", async () => {
    const roomnum = await endedClass(t, tokens);
    t.tencent.replayIndex.mode = "immediate";
    const [outcome] = await run();
    expect(outcome).toMatchObject({ kind: "built", url: expect.stringMatching(new RegExp(`^${t.tencent.url}/replay-index/`)) });
    const row = await courseRow(roomnum);
    expect(row).toMatchObject({ state: 3, replayIndexStatus: "built", replayIndexUrl: (outcome as { url: string }).url, replayIndexCreatedResult: 0, replayIndexDueAt: null });
    expect(row.replayIndexCreatedAt).not.toBeNull();
    const file = (await (await fetch(row.replayIndexUrl)).json()) as { Messages: Array<{ MsgSeq: number }> };
    expect(file.Messages.map((m) => m.MsgSeq)).toEqual(t.tencent.im.messagesOf(String(roomnum)).map((m) => m.msgSeq));
    // Attendance is kept (the original deleted it).
    expect(await sql(`SELECT uin FROM "ClassMember" WHERE roomnum = $1`, [roomnum])).toHaveLength(3);
  });

  test("an accepted request completes through the index-file callback, signed as IM signs callbacks", async () => {
    const roomnum = await endedClass(t, tokens);
    expect(await run()).toEqual([{ kind: "requested" }]);
    await t.tencent.replayIndex.settled();
    const delivery = t.tencent.replayIndex.deliveries.at(-1)!;
    expect({ status: delivery.status, answer: JSON.parse(delivery.answer) as unknown }).toEqual({ status: 200, answer: IM_OK });
    const query = new URL(delivery.url).searchParams;
    expect(query.get("CallbackCommand")).toBe(INDEX_FILE_CALLBACK_COMMAND);
    expect(JSON.parse(delivery.body.SrcRequest as string)).toMatchObject({ GroupId: String(roomnum) });
    const row = await courseRow(roomnum);
    expect(row).toMatchObject({ state: 3, replayIndexStatus: "built", replayIndexUrl: (delivery.body.ReplayIndex as { FileUrl: string }).FileUrl });
  });

  test("an error answer is recorded (−3, its code and text) and retried after the backoff; then the index is built", async () => {
    const roomnum = await endedClass(t, tokens);
    t.tencent.replayIndex.mode = "fail";
    const before = Date.now();
    expect(await run()).toEqual([{ kind: "failed", result: -3, code: INDEX_SERVICE_ERROR.code, info: INDEX_SERVICE_ERROR.info, willRetry: true }]);
    const failed = await courseRow(roomnum);
    expect(failed).toMatchObject({ state: 2, replayIndexStatus: "waiting", replayIndexAttempts: 1, replayIndexTriggerResult: -3 });
    expect(failed.replayIndexError).toBe(`[${INDEX_SERVICE_ERROR.code}] ${INDEX_SERVICE_ERROR.info}`);
    // Due again after the backoff (30 s), not before.
    const retryAt = failed.replayIndexDueAt!.getTime();
    expect(retryAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 30000);
    expect(retryAt).toBeLessThanOrEqual(Date.now() + 30000);
    expect(await run(retryAt - 1000)).toEqual([]);
    t.tencent.replayIndex.mode = "immediate";
    expect(await run(retryAt)).toMatchObject([{ kind: "built" }]);
    expect(await courseRow(roomnum)).toMatchObject({ state: 3, replayIndexAttempts: 2, replayIndexError: "" });
    expect(requestsFor(roomnum)).toHaveLength(2);
  });

  test("no answer (the service is down) is −2; the backoff doubles; after REPLAY_INDEX_ATTEMPTS the index is given up (state 2, failed)", async () => {
    const roomnum = await endedClass(t, tokens);
    t.tencent.replayIndex.mode = "down";
    const delays: number[] = [];
    let now = Date.now();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [outcome] = await run(now);
      expect(outcome).toMatchObject({ kind: "failed", result: -2, willRetry: attempt < 3 });
      const row = await courseRow(roomnum);
      expect(row.replayIndexAttempts).toBe(attempt);
      if (row.replayIndexDueAt) {
        delays.push(Math.round((row.replayIndexDueAt.getTime() - Date.now()) / 1000));
        now = row.replayIndexDueAt.getTime();
      }
    }
    expect(delays.map((d) => Math.round(d / 10) * 10)).toEqual([30, 60]);
    expect(await courseRow(roomnum)).toMatchObject({ state: 2, replayIndexStatus: "failed", replayIndexDueAt: null, replayIndexTriggerResult: -2 });
    expect(await run(now + 86400000)).toEqual([]);
    // The course list shows the failure and that the owner may ask again.
    const room = (await t.call("live", "roomlist", { ...C, token: tokens.S, index: 0, size: 1, roomnum })).body.data.rooms[0];
    expect(room).toMatchObject({ state: 2, replay_idx_status: "failed", replay_idx_attempts: 3, trigger_replay_idx_result: -2, can_trigger_replay_idx: 1 });
    expect(room.replay_idx_error).toMatch(/^\[0\] /);
  });

  test("an error callback is recorded (created result, text) and asked again; the class stays ended", async () => {
    const roomnum = await endedClass(t, tokens);
    t.tencent.replayIndex.mode = "callbackError";
    expect(await run()).toEqual([{ kind: "requested" }]);
    await t.tencent.replayIndex.settled();
    expect(JSON.parse(t.tencent.replayIndex.deliveries.at(-1)!.answer)).toEqual(IM_OK);
    const row = await courseRow(roomnum);
    expect(row).toMatchObject({
      state: 2,
      replayIndexStatus: "waiting",
      replayIndexAttempts: 1,
      replayIndexCreatedResult: INDEX_SERVICE_ERROR.code,
      replayIndexTriggerResult: 0,
      replayIndexError: `[${INDEX_SERVICE_ERROR.code}] ${INDEX_SERVICE_ERROR.info}`,
    });
    t.tencent.replayIndex.mode = "immediate";
    expect(await run(row.replayIndexDueAt!.getTime())).toMatchObject([{ kind: "built" }]);
  });

  test("a request whose callback never comes is asked again after REPLAY_INDEX_CALLBACK_TIMEOUT_S", async () => {
    const roomnum = await endedClass(t, tokens);
    t.tencent.replayIndex.mode = "silent";
    await run();
    const deadline = (await courseRow(roomnum)).replayIndexDueAt!.getTime();
    expect(deadline - Date.now()).toBeGreaterThan(590000);
    expect(await run(deadline - 1000)).toEqual([]);
    t.tencent.replayIndex.mode = "immediate";
    expect(await run(deadline)).toMatchObject([{ kind: "built" }]);
    expect(requestsFor(roomnum)).toHaveLength(2);
  });

  test("a class the reaper ended is indexed like one the teacher ended (B6)", async () => {
    const live = (cmd: string, fields: Record<string, unknown>) => t.call("live", cmd, { ...C, token: tokens.T, ...fields });
    const roomnum = (await live("create", { title: "reaped" })).body.data.roomnum as number;
    await live("startcourse", { roomnum });
    await t.server.reaper.sweep(Date.now()); // a fresh Redis: the first sweep builds presence
    await t.server.reaper.sweep(Date.now() + 301000);
    expect(await courseRow(roomnum)).toMatchObject({ state: 2, replayIndexStatus: "waiting" });
    t.tencent.replayIndex.mode = "immediate";
    await makeDue(roomnum);
    expect(await run()).toMatchObject([{ kind: "built" }]);
    expect((await courseRow(roomnum)).state).toBe(3);
  });
});

describe("two instances share the due classes: one request per class", () => {
  test("both schedulers run at once over 8 due classes; the service is asked 8 times, once each", async () => {
    const a = await startTestServer({ REPLAY_INDEX_DELAY_S: "0" }, { tencentReplayIndex: true });
    const b = await startTestServer({ REPLAY_INDEX_DELAY_S: "0", REPLAY_INDEX_URL: a.tencent.url, IM_BASE_URL: a.tencent.url }, { keepStores: true });
    try {
      const tokens = await signUpClassroom(a);
      const rooms: number[] = [];
      for (let i = 0; i < 8; i++) rooms.push(await endedClass(a, tokens, `shared ${i}`));
      a.tencent.replayIndex.mode = "silent";
      const [ranA, ranB] = await Promise.all([a.server.replayScheduler.run(), b.server.replayScheduler.run()]);
      expect(ranA.length + ranB.length).toBe(8);
      const asked = a.tencent.replayIndex.requests.map((r) => Number(r.body.GroupId)).sort((x, y) => x - y);
      expect(asked).toEqual(rooms);
      for (const roomnum of rooms) expect(await courseRow(roomnum)).toMatchObject({ replayIndexStatus: "requested", replayIndexAttempts: 1 });
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe("the scheduler inside the server (no manual step)", () => {
  test("REPLAY_INDEX_ENABLED: an ended class becomes replayable by itself, through the service's callback", async () => {
    const t = await startTestServer({ REPLAY_INDEX_DELAY_S: "0", REPLAY_INDEX_ENABLED: "true", REPLAY_INDEX_INTERVAL_MS: "50" }, { tencentReplayIndex: true });
    try {
      const roomnum = await endedClass(t, await signUpClassroom(t));
      let row = await courseRow(roomnum);
      for (const giveUpAt = Date.now() + 10000; row.state !== 3 && Date.now() < giveUpAt; await new Promise((r) => setTimeout(r, 50))) row = await courseRow(roomnum);
      expect(row).toMatchObject({ state: 3, replayIndexStatus: "built" });
      expect(t.tencent.replayIndex.deliveries).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});

describe("live.makereplayidx: the owner asks now", () => {
  let t: TestServer;
  let tokens: { T: string; S: string; S2: string };
  let T2: string;
  beforeAll(async () => {
    t = await startTestServer({ REPLAY_INDEX_DELAY_S: "300" }, { tencentReplayIndex: true });
    tokens = await signUpClassroom(t);
    T2 = await signUp(t, "teacher2", 1);
  });
  afterAll(() => t.close());
  const make = (token: string, fields: Record<string, unknown>) => t.call("live", "makereplayidx", { ...C, token, ...fields });
  const WINDOW =
    "only now>can_trigger_replay_idx_time  and can_trigger_replay_idx_time>0 and trigger_replay_idx_time=0 can trigger replay idx";

  test.each([
    [{}, "Lack of roomnum"],
    [{ roomnum: "x" }, " Invalid roomnum"],
    [{ roomnum: 1.5 }, " Invalid roomnum"],
  ])("%j → 10003 %j", async (fields, text) => {
    expect((await make(tokens.T, fields)).body).toEqual({ errorCode: 10003, errorInfo: text });
  });

  test("who and when: owner only, ended classes only, once due or after a failure", async () => {
    const roomnum = await endedClass(t, tokens);
    expect((await make(tokens.S, { roomnum })).body).toEqual({ errorCode: 10101, errorInfo: "only the teacher who created the course can make its replay index." });
    expect((await make(T2, { roomnum })).body.errorCode).toBe(10101);
    expect((await make(tokens.T, { roomnum: 424242 })).body).toEqual({ errorCode: 10100, errorInfo: "get room info failed" });
    // Not due yet (the delay lets recordings arrive).
    expect((await make(tokens.T, { roomnum })).body).toEqual({ errorCode: 10102, errorInfo: WINDOW });
    await makeDue(roomnum);
    const room = (await t.call("live", "roomlist", { ...C, token: tokens.T, index: 0, size: 1, roomnum })).body.data.rooms[0];
    expect(room.can_trigger_replay_idx).toBe(1);
    t.tencent.replayIndex.mode = "fail";
    expect((await make(tokens.T, { roomnum })).body).toEqual({
      errorCode: 10103,
      errorInfo: `send req to replay idex server failed,inner code -3,idx server detail[code:${INDEX_SERVICE_ERROR.code},info:${INDEX_SERVICE_ERROR.info}]`,
    });
    // After a failure the owner may ask again at once (no need to wait for the backoff).
    t.tencent.replayIndex.mode = "immediate";
    expect((await make(tokens.T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    expect(await courseRow(roomnum)).toMatchObject({ state: 3, replayIndexAttempts: 2 });
    expect((await make(tokens.T, { roomnum })).body).toEqual({ errorCode: 10102, errorInfo: " only state=has_lived room can create replay idx file" });
  });

  test("not while a request is in flight; a living class is refused", async () => {
    const roomnum = await endedClass(t, tokens);
    await makeDue(roomnum);
    t.tencent.replayIndex.mode = "silent";
    expect((await make(tokens.T, { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
    expect((await make(tokens.T, { roomnum })).body).toEqual({ errorCode: 10102, errorInfo: WINDOW });
    const living = (await t.call("live", "create", { ...C, token: tokens.T, title: "living" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: tokens.T, roomnum: living });
    expect((await make(tokens.T, { roomnum: living })).body).toEqual({ errorCode: 10102, errorInfo: " only state=has_lived room can create replay idx file" });
  });

  test("REST: POST /courses/:roomnum/replay-index", async () => {
    const roomnum = await endedClass(t, tokens);
    expect((await t.rest("POST", `/courses/${roomnum}/replay-index`, { token: tokens.T })).status).toBe(409);
    await makeDue(roomnum);
    t.tencent.replayIndex.mode = "immediate";
    expect(await t.rest("POST", `/courses/${roomnum}/replay-index`, { token: tokens.S })).toMatchObject({ status: 403 });
    expect(await t.rest("POST", `/courses/${roomnum}/replay-index`, { token: tokens.T })).toEqual({ status: 200, body: {} });
    expect((await courseRow(roomnum)).state).toBe(3);
  });
});

describe("live.idxfileendcall: the index service's callback", () => {
  let t: TestServer;
  let tokens: { T: string; S: string; S2: string };
  let roomnum: number;
  const logs = capturingLogger();
  beforeAll(async () => {
    t = await startTestServer({}, { log: logs.log });
    tokens = await signUpClassroom(t);
    roomnum = await endedClass(t, tokens);
  });
  afterAll(() => t.close());
  const src = (groupId: unknown) => JSON.stringify({ GroupId: groupId, MsgSeqStart: 1, MsgSeqEnd: 3, MaxMsgSeqVideoEnd: 0, UserList: [] });
  const success = (room: number, url = "http://idx/a.json") => ({ SrcRequest: src(String(room)), ErrorCode: 0, ErrorInfo: "", ReplayIndex: { FileUrl: url, CreateTime: 1500000000 } });

  test.each([
    ["no SrcRequest", {}, "Lack of SrcRequest or Invalid"],
    ["SrcRequest an object (not the JSON string)", { SrcRequest: { GroupId: "10001" } }, "Lack of SrcRequest or Invalid"],
    ["SrcRequest not JSON", { SrcRequest: "{bad" }, "decode SrcRequest failed."],
    ["no GroupId", { SrcRequest: "{}" }, "Lack of SrcRequest.GroupId or Invalid"],
    ["GroupId a number", { SrcRequest: '{"GroupId":10001}' }, "Lack of SrcRequest.GroupId or Invalid"],
    ["no ErrorCode", { SrcRequest: src("10001") }, "Lack of ErrorCode or Invalid"],
    ["ErrorCode beyond what is stored (int4)", { SrcRequest: src("10001"), ErrorCode: 2147483648, ErrorInfo: "x" }, "Lack of ErrorCode or Invalid"],
    ["ErrorCode below what is stored (int4)", { SrcRequest: src("10001"), ErrorCode: -2147483649, ErrorInfo: "x" }, "Lack of ErrorCode or Invalid"],
    ["no ErrorInfo", { SrcRequest: src("10001"), ErrorCode: 0 }, "Lack of ErrorInfo or Invalid"],
    ["ErrorCode 0 without ReplayIndex", { SrcRequest: src("10001"), ErrorCode: 0, ErrorInfo: "" }, "Lack of ReplayIndex or Invalid"],
    ["no FileUrl", { SrcRequest: src("10001"), ErrorCode: 0, ErrorInfo: "", ReplayIndex: { CreateTime: 1 } }, "Lack of ReplayIndex.FileUrl or Invalid"],
    ["no CreateTime", { SrcRequest: src("10001"), ErrorCode: 0, ErrorInfo: "", ReplayIndex: { FileUrl: "http://x" } }, "Lack of ReplayIndex.CreateTime or Invalid"],
  ])("%s → ErrorCode 10003 with the original's text (HTTP 200, IM's shape), nothing changes", async (_what, body, info) => {
    const before = await courseRow(roomnum);
    // The class of this file, ended (a stored field's overflow is only reached for a class that may take it).
    const { SrcRequest: srcRequest } = body as { SrcRequest?: unknown };
    const answer = await indexCallback(t, { ...body, ...(typeof srcRequest === "string" ? { SrcRequest: srcRequest.replace("10001", String(roomnum)) } : {}) });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: imAnswer(10003, info) });
    expect(await courseRow(roomnum)).toEqual(before);
  });

  test("an unknown class → 10100; a class not ended → 10102 \"course state error\"", async () => {
    expect((await indexCallback(t, success(424242))).body).toEqual(imAnswer(10100, "get room info failed"));
    const created = (await t.call("live", "create", { ...C, token: tokens.T, title: "created" })).body.data.roomnum as number;
    expect((await indexCallback(t, success(created))).body).toEqual(imAnswer(10102, "course state error"));
    expect((await courseRow(created)).state).toBe(0);
  });

  test.each([
    ["no Sign", (q: Record<string, string>) => ({ ...q, Sign: "" }), "callback not signed"],
    ["no RequestTime", ({ RequestTime: _r, ...q }: Record<string, string>) => q, "callback not signed"],
    ["a Sign of another token", () => imCallbackQuery("another-token"), "callback sign mismatch"],
    ["a RequestTime over a minute old", () => imCallbackQuery(TEST_CALLBACK_KEY, nowSeconds() - 61), "callback sign expired"],
    ["a RequestTime over a minute ahead", () => imCallbackQuery(TEST_CALLBACK_KEY, nowSeconds() + 61), "callback sign expired"],
  ])("%s → 401 (FAIL, 10101), logged, nothing changes", async (_what, query, reason) => {
    const before = await courseRow(roomnum);
    const answer = await indexCallback(t, success(roomnum, "http://phishing.example/idx.json"), query(imCallbackQuery(TEST_CALLBACK_KEY)));
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 401, body: { ActionStatus: "FAIL", ErrorCode: 10101, ErrorInfo: reason } });
    expect(logs.lines.filter((l) => l.msg === "Tencent callback refused").at(-1)).toMatchObject({ reason });
    expect(await courseRow(roomnum)).toEqual(before);
  });

  test("success: the class becomes replayable with the index's URL; members are kept; a repeat overwrites (idempotent)", async () => {
    const answer = await indexCallback(t, success(roomnum));
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: IM_OK });
    expect(await courseRow(roomnum)).toMatchObject({ state: 3, replayIndexStatus: "built", replayIndexUrl: "http://idx/a.json", replayIndexCreatedResult: 0 });
    expect(await sql(`SELECT id FROM "ClassMember" WHERE roomnum = $1`, [roomnum])).toHaveLength(3);
    expect((await indexCallback(t, success(roomnum, "http://idx/b.json"))).body).toEqual(IM_OK);
    expect((await courseRow(roomnum)).replayIndexUrl).toBe("http://idx/b.json");
    // A late error never undoes the index.
    expect((await indexCallback(t, { SrcRequest: src(String(roomnum)), ErrorCode: 70001, ErrorInfo: "late" })).body).toEqual(IM_OK);
    expect(await courseRow(roomnum)).toMatchObject({ state: 3, replayIndexUrl: "http://idx/b.json", replayIndexCreatedResult: 0 });
  });

  test("REST: POST /api/v1/callbacks/replay-index, the same shapes", async () => {
    const other = await endedClass(t, tokens);
    const query = new URLSearchParams(imCallbackQuery(TEST_CALLBACK_KEY)).toString();
    expect(await t.rest("POST", `/callbacks/replay-index?${query}`, { body: success(other) })).toEqual({ status: 200, body: IM_OK });
    expect((await courseRow(other)).state).toBe(3);
    expect(await t.rest("POST", "/callbacks/replay-index", { body: success(other) })).toEqual({
      status: 401,
      body: { ActionStatus: "FAIL", ErrorCode: 10101, ErrorInfo: "callback not signed" },
    });
  });

  test("a body that is not JSON keeps the original's standard envelope", async () => {
    const answer = await t.call("live", "idxfileendcall", undefined, { raw: "{bad" });
    expect(answer.body).toEqual({ errorCode: 10002, errorInfo: "HTTP Request Json Parse Error" });
  });
});

test("IM's callback signature, Tencent's documented example: sha256(\"xxxxyyyy\" + 1669872112)", () => {
  expect(imCallbackQuery("xxxxyyyy", 1669872112).Sign).toBe("17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061");
});
