import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { sql } from "./support/env";

/**
 * Stalled and lost dependencies. IM: one attempt per marker, bounded by IM_TIMEOUT_MS,
 * never resent blindly; a retry of the same change posts the same message, which IM
 * keeps once.
 */

const IM_TIMEOUT_MS = 300;

describe("a stalled IM", () => {
  let t: TestServer;
  let T: string;
  beforeAll(async () => {
    t = await startTestServer({ IM_TIMEOUT_MS: String(IM_TIMEOUT_MS) });
    T = await signUp(t, "teacher1", 1);
  });
  afterAll(() => t.close());
  afterEach(() => {
    t.im.mode = "ok";
    t.im.delayMs = 0;
  });

  const live = (cmd: string, fields: Record<string, unknown>) => t.call("live", cmd, { ...C, token: T, ...fields });
  const group = (room: number) => t.tencent.im.messagesOf(String(room));
  const state = async (room: number) => (await sql<{ state: number; startImSeq: number }>(`SELECT state, "startImSeq" FROM "Course" WHERE roomnum = $1`, [room]))[0]!;

  test("startcourse answers 10103 before IM does, sends once, and its retry leaves one 1001 in the group", async () => {
    const room = (await live("create", { title: "stalled" })).body.data.roomnum as number;
    t.im.delayMs = IM_TIMEOUT_MS * 3;
    expect((await live("startcourse", { roomnum: room })).body).toEqual({ errorCode: 10103, errorInfo: "save info to imgroup failed." });
    expect(group(room)).toHaveLength(0); // answered while IM was still holding the message
    expect(await state(room)).toEqual({ state: 0, startImSeq: 0 });
    // The stalled message lands later, and is not sent a second time.
    await new Promise((r) => setTimeout(r, IM_TIMEOUT_MS * 4));
    expect(group(room)).toHaveLength(1);
    const duplicatesBefore = t.tencent.im.duplicates;
    expect(await state(room)).toEqual({ state: 0, startImSeq: 0 });

    t.im.delayMs = 0;
    expect((await live("startcourse", { roomnum: room, timeStamp: 999 })).body).toEqual({ errorCode: 0, errorInfo: "" });
    expect(group(room)).toHaveLength(1);
    expect(t.tencent.im.duplicates).toBe(duplicatesBefore + 1);
    expect(await state(room)).toEqual({ state: 1, startImSeq: group(room)[0]!.msgSeq });
  });

  test("IM down: 10103 and nothing changes; the retry posts one marker", async () => {
    const room = (await live("create", { title: "down" })).body.data.roomnum as number;
    t.im.mode = "down";
    expect((await live("startcourse", { roomnum: room })).body.errorCode).toBe(10103);
    expect(await state(room)).toEqual({ state: 0, startImSeq: 0 });
    t.im.mode = "ok";
    expect((await live("startcourse", { roomnum: room })).body.errorCode).toBe(0);
    expect(group(room)).toHaveLength(1);
    expect((await state(room)).startImSeq).toBe(group(room)[0]!.msgSeq);
  });

  test("a refused marker is not reused: the next attempt is a new message", async () => {
    const room = (await live("create", { title: "refused" })).body.data.roomnum as number;
    t.im.mode = "error";
    expect((await live("startcourse", { roomnum: room, timeStamp: 1 })).body.errorCode).toBe(10103);
    t.im.mode = "ok";
    expect((await live("startcourse", { roomnum: room, timeStamp: 2 })).body.errorCode).toBe(0);
    expect(group(room).map((m) => (JSON.parse(String(m.msgBody[0]!.MsgContent.Data)) as { timestamp: number }).timestamp)).toEqual([2]);
  });
});
