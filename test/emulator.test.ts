import { startTencentEmulator, type TencentEmulator } from "../src/emulator";
import { TEST_APP, TEST_CLOUD } from "./support/env";
import { signUserSigV2 } from "./support/usersig-sign";

/**
 * The Tencent emulator checks IM REST requests as IM does and answers in IM's shapes.
 * Requests here are built by hand, signed with an independent userSig v2 implementation.
 */

let tencent: TencentEmulator;
beforeAll(async () => {
  tencent = await startTencentEmulator({ apps: [TEST_APP], cloud: TEST_CLOUD });
});
afterAll(() => tencent.close());
afterEach(() => {
  tencent.im.mode = "ok";
  tencent.delayMs = 0;
});

const adminSig = (overrides: Partial<Parameters<typeof signUserSigV2>[0]> = {}) =>
  signUserSigV2({ sdkAppId: TEST_APP.sdkAppId, secretKey: TEST_APP.secretKey, identifier: TEST_APP.admin, ...overrides });

interface Query {
  sdkappid?: string;
  identifier?: string;
  usersig?: string;
  random?: string;
  contenttype?: string;
}

const goodQuery = (): Query => ({ sdkappid: String(TEST_APP.sdkAppId), identifier: TEST_APP.admin, usersig: adminSig(), random: "12345", contenttype: "json" });
const marker = (groupId: string, random: number) => ({
  GroupId: groupId,
  From_Account: TEST_APP.admin,
  Random: random,
  MsgBody: [{ MsgType: "TIMCustomElem", MsgContent: { Data: JSON.stringify({ type: 1001, seq: 1, timestamp: 1, value: { uid: "t" } }) } }],
});

async function post(body: unknown, query: Query = goodQuery(), path = "/v4/group_open_http_svc/send_group_msg", method = "POST") {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const response = await fetch(`${tencent.url}${path}?${params.toString()}`, { method, body: method === "GET" ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

let nextRandom = 1000;
const random = () => nextRandom++;

test("a valid message: IM's success shape, MsgSeq rising from 1 per group, kept in order", async () => {
  const first = await post(marker("g1", random()));
  expect(first).toEqual({ status: 200, body: { ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0, MsgTime: expect.any(Number), MsgSeq: 1 } });
  expect((await post(marker("g1", random()))).body.MsgSeq).toBe(2);
  expect((await post(marker("g2", random()))).body.MsgSeq).toBe(1);
  expect(tencent.im.messagesOf("g1").map((m) => m.msgSeq)).toEqual([1, 2]);
  expect(Math.abs((first.body.MsgTime as number) - Date.now() / 1000)).toBeLessThan(60);
});

test("the same Random within five minutes is the same message: its MsgSeq again, stored once", async () => {
  const r = random();
  const a = await post(marker("dup", r));
  const b = await post(marker("dup", r));
  expect(b.body.MsgSeq).toBe(a.body.MsgSeq);
  expect(tencent.im.messagesOf("dup")).toHaveLength(1);
  expect(tencent.im.duplicates).toBeGreaterThanOrEqual(1);
});

describe("requests IM refuses, with its error codes", () => {
  const cases: Array<[string, number, () => Promise<{ status: number; body: Record<string, unknown> }>]> = [
    ["GET instead of POST", 60002, () => post(undefined, goodQuery(), undefined, "GET")],
    ["no sdkappid", 60012, () => post(marker("x", random()), { ...goodQuery(), sdkappid: undefined })],
    ["an unknown sdkappid", 70020, () => post(marker("x", random()), { ...goodQuery(), sdkappid: "1400009999" })],
    ["contenttype missing", 60002, () => post(marker("x", random()), { ...goodQuery(), contenttype: undefined })],
    ["random missing", 60002, () => post(marker("x", random()), { ...goodQuery(), random: undefined })],
    ["random above 32 bits", 60002, () => post(marker("x", random()), { ...goodQuery(), random: "4294967296" })],
    ["identifier not the admin", 60010, () => post(marker("x", random()), { ...goodQuery(), identifier: "someone" })],
    ["a garbled usersig", 70003, () => post(marker("x", random()), { ...goodQuery(), usersig: "not-a-sig" })],
    ["a usersig signed with another key", 70009, () => post(marker("x", random()), { ...goodQuery(), usersig: adminSig({ secretKey: "wrong" }) })],
    ["a usersig of another identifier", 70013, () => post(marker("x", random()), { ...goodQuery(), usersig: adminSig({ identifier: "other" }) })],
    ["a usersig of another app", 70014, () => post(marker("x", random()), { ...goodQuery(), usersig: adminSig({ sdkAppId: 1400000002 }) })],
    ["an expired usersig", 70001, () => post(marker("x", random()), { ...goodQuery(), usersig: adminSig({ time: 1000, expire: 60 }) })],
    ["a body that is not JSON", 60003, () => post("not json")],
    ["no GroupId", 10004, () => post({ ...marker("x", random()), GroupId: undefined })],
    ["no Random", 10004, () => post({ ...marker("x", random()), Random: undefined })],
    ["an empty MsgBody", 10004, () => post({ ...marker("x", random()), MsgBody: [] })],
    ["a custom element without Data", 10004, () => post({ ...marker("x", random()), MsgBody: [{ MsgType: "TIMCustomElem", MsgContent: {} }] })],
    ["an unknown command", 60009, () => post(marker("x", random()), goodQuery(), "/v4/group_open_http_svc/nope")],
  ];
  test.each(cases)("%s → ActionStatus FAIL, ErrorCode %i", async (_name, code, request) => {
    const before = tencent.im.received.length;
    const answer = await request();
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ActionStatus: "FAIL", ErrorCode: code, ErrorInfo: expect.any(String) });
    expect(tencent.im.received).toHaveLength(before);
    expect(tencent.im.rejected.at(-1)!.errorCode).toBe(code);
  });
});

describe("faults a test can ask for", () => {
  test("error: IM's group-not-found answer; nothing stored", async () => {
    tencent.im.mode = "error";
    expect((await post(marker("f", random()))).body).toEqual({ ActionStatus: "FAIL", ErrorCode: 10010, ErrorInfo: expect.any(String) });
    expect(tencent.im.messagesOf("f")).toHaveLength(0);
  });

  test("down: the connection drops", async () => {
    tencent.im.mode = "down";
    await expect(post(marker("f", random()))).rejects.toThrow();
  });

  test("garbage: an HTML page instead of JSON", async () => {
    tencent.im.mode = "garbage";
    const response = await fetch(`${tencent.url}/v4/group_open_http_svc/send_group_msg?${new URLSearchParams(goodQuery() as Record<string, string>).toString()}`, {
      method: "POST",
      body: JSON.stringify(marker("f", random())),
    });
    expect(response.headers.get("content-type")).toBe("text/html");
  });

  test("delayMs: every answer waits", async () => {
    tencent.delayMs = 200;
    const started = Date.now();
    await post(marker("slow", random()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

test("the read-only view lists groups and their messages, custom Data decoded", async () => {
  await post(marker("view", random()));
  const groups = (await (await fetch(`${tencent.url}/__tencent/im/groups`)).json()) as { groups: Array<{ groupId: string; messages: number }> };
  expect(groups.groups).toContainEqual({ groupId: "view", messages: 1 });
  const view = (await (await fetch(`${tencent.url}/__tencent/im/groups/view/messages`)).json()) as { groupId: string; messages: Array<Record<string, unknown>> };
  expect(view.groupId).toBe("view");
  expect(view.messages[0]).toMatchObject({ msgSeq: 1, fromAccount: TEST_APP.admin, msgBody: [{ MsgType: "TIMCustomElem", decoded: { type: 1001, value: { uid: "t" } } }] });
  expect((await fetch(`${tencent.url}/__tencent/nothing`)).status).toBe(404);
  expect((await fetch(`${tencent.url}/__tencent/im/groups/view/messages`, { method: "POST" })).status).toBe(404);
});

describe("group_msg_get_simple: a group's history as IM gives it", () => {
  const HISTORY = "/v4/group_open_http_svc/group_msg_get_simple";

  test("newest first, at most 20 a call, up to ReqMsgSeq; IsFinished once nothing older remains; the client pages backwards over a range", async () => {
    for (let i = 0; i < 25; i++) tencent.im.chat(TEST_APP.sdkAppId, "history", `u${i}`, `line ${i + 1}`);
    const latest = await post({ GroupId: "history", ReqMsgNumber: 50 }, goodQuery(), HISTORY);
    const list = latest.body.RspMsgList as Array<{ MsgSeq: number; From_Account: string; MsgBody: unknown; IsPlaceMsg: number }>;
    expect(latest.body).toMatchObject({ ActionStatus: "OK", ErrorCode: 0, GroupId: "history", IsFinished: 0 });
    expect(list.map((m) => m.MsgSeq)).toEqual(Array.from({ length: 20 }, (_, i) => 25 - i));
    expect(list[0]).toMatchObject({ From_Account: "u24", IsPlaceMsg: 0, MsgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: "line 25" } }] });
    const older = await post({ GroupId: "history", ReqMsgSeq: 5, ReqMsgNumber: 20 }, goodQuery(), HISTORY);
    expect((older.body.RspMsgList as Array<{ MsgSeq: number }>).map((m) => m.MsgSeq)).toEqual([5, 4, 3, 2, 1]);
    expect(older.body.IsFinished).toBe(1);

    const { ImClient } = await import("../src/infra/tencent/im");
    const client = new ImClient({ baseUrl: tencent.url, timeoutMs: 5000 });
    try {
      const range = await client.groupHistory(TEST_APP, "history", 3, 24, 1000);
      expect(range.map((m) => m.msgSeq)).toEqual(Array.from({ length: 22 }, (_, i) => i + 3));
      expect(range[0]).toMatchObject({ fromAccount: "u2", msgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: "line 3" } }] });
      expect((await client.groupHistory(TEST_APP, "history", 1, 25, 7)).map((m) => m.msgSeq)).toEqual([19, 20, 21, 22, 23, 24, 25]);
    } finally {
      client.close();
    }
  });

  test.each([
    ["no GroupId", { ReqMsgNumber: 5 }, 10004],
    ["no ReqMsgNumber", { GroupId: "history" }, 10004],
    ["a ReqMsgNumber of 0", { GroupId: "history", ReqMsgNumber: 0 }, 10004],
    ["a negative ReqMsgSeq", { GroupId: "history", ReqMsgSeq: -1, ReqMsgNumber: 5 }, 10004],
    ["a group that never had a message", { GroupId: "no-such-group", ReqMsgNumber: 5 }, 10010],
  ])("%s → FAIL %s", async (_name, body, code) => {
    expect((await post(body, goodQuery(), HISTORY)).body).toMatchObject({ ActionStatus: "FAIL", ErrorCode: code });
  });
});
