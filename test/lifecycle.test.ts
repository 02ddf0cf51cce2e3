import { C, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { sql, TEST_APP } from "./support/env";
import { verifyUserSigV2 } from "./support/usersig-verify";

let t: TestServer;
let T: string;
let S: string;
let S2: string;
beforeAll(async () => {
  t = await startTestServer();
  ({ T, S, S2 } = await signUpClassroom(t));
});
afterAll(() => t.close());

const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });

test("full lifecycle: create → start → join ×2 → list → bind → query → leave → end", async () => {
  const created = await live("create", T, { title: "数学/math", cover: "http://x.com/a.jpg" });
  expect(created.body).toEqual({ errorCode: 0, errorInfo: "", data: { roomnum: 10001, groupid: "10001" } });

  const started = await live("startcourse", T, { roomnum: 10001, timeStamp: 777 });
  expect(started.body).toEqual({ errorCode: 0, errorInfo: "" });
  const startMsg = t.im.messages.at(-1)!;
  expect(startMsg).toMatchObject({ groupId: "10001", data: { type: 1001, timestamp: 777, value: { uid: "teacher1" } } });
  expect(startMsg.data.seq).toBeGreaterThanOrEqual(10000);
  expect(Object.keys(startMsg.data)).toEqual(["type", "seq", "timestamp", "value"]);
  expect(t.im.rejected).toEqual([]);
  // The admin userSig IM received, recomputed independently of the server's code.
  const imQuery = t.tencent.im.received.at(-1)!.query;
  expect(imQuery).toMatchObject({ sdkappid: String(TEST_APP.sdkAppId), identifier: TEST_APP.admin, contenttype: "json" });
  const sig = verifyUserSigV2(imQuery.usersig!, TEST_APP.secretKey);
  expect(sig.ok).toBe(true);
  expect(sig.doc).toMatchObject({ "TLS.identifier": TEST_APP.admin, "TLS.sdkappid": TEST_APP.sdkAppId });

  expect((await live("reportmemid", S, { roomnum: "10001", operate: 0 })).body).toEqual({ errorCode: 0, errorInfo: "" });
  expect((await live("reportmemid", S2, { roomnum: 10001, operate: 0 })).body.errorCode).toBe(0);
  expect(t.im.messages.filter((m) => m.data.type === 1003).map((m) => m.data.value.uid)).toEqual(["student1", "student2"]);

  const members = await live("roomidlist", S, { roomnum: 10001, index: 0, size: 10 });
  expect(members.body).toEqual({
    errorCode: 0,
    errorInfo: "",
    data: { total: 3, idlist: [{ id: "teacher1", role: 1 }, { id: "student1", role: 0 }, { id: "student2", role: 0 }] },
  });

  const list = await live("roomlist", S, { index: 0, size: 10 });
  if (list.body.errorCode !== 0) throw new Error(list.text);
  expect(list.body.data.total).toBe(1);
  expect(list.body.data.rooms[0]).toMatchObject({
    host_uid: "teacher1",
    title: "数学/math",
    roomnum: 10001,
    state: 1,
    groupid: "10001",
    cover: "http://x.com/a.jpg",
    begin_imseq: startMsg.msgSeq,
    end_time: 0,
    end_imseq: 0,
    memsize: 3,
    playback_idx_url: "",
    replay_idx_url: "",
    can_trigger_replay_idx: 0,
  });

  const bind = await live("reportbind", T, { roomnum: 10001, operate: 0, bind_file: { type: 0, file_name: "a.ppt", url: "http://cos/a.ppt" } });
  expect(bind.body).toEqual({ errorCode: 0, errorInfo: "" });
  const query = await live("querybind", S, { roomnum: 10001, index: 0, size: 10 });
  expect(query.body.data.total).toBe(1);
  expect(query.body.data.bind_files[0]).toMatchObject({ type: 0, file_name: "a.ppt", url: "http://cos/a.ppt" });

  expect((await live("reportmemid", S, { roomnum: 10001, operate: 1 })).body).toEqual({ errorCode: 0, errorInfo: "" });
  expect((await live("roomidlist", T, { roomnum: 10001, index: 0, size: 10 })).body.data.total).toBe(2);

  expect((await live("exitroom", T, { roomnum: 10001 })).body).toEqual({ errorCode: 0, errorInfo: "" });
  const endMsg = t.im.messages.at(-1)!;
  expect(endMsg.data).toMatchObject({ type: 1002, value: { uid: "teacher1" } });
  const [course] = await sql<{ state: number; endImSeq: number; endReason: string; replayIndexDueAt: Date; endedAt: Date }>(
    `SELECT state, "endImSeq", "endReason", "replayIndexDueAt", "endedAt" FROM "Course" WHERE roomnum = 10001`,
  );
  expect(course).toMatchObject({ state: 2, endImSeq: endMsg.msgSeq, endReason: "teacher" });
  expect(course!.replayIndexDueAt.getTime() - course!.endedAt.getTime()).toBe(300000);
  const history = await sql<{ uin: number; leaveReason: string }>(`SELECT uin, "leaveReason" FROM "ClassMember" WHERE roomnum = 10001 ORDER BY id`);
  expect(history.map((h) => h.leaveReason)).toEqual(["class_ended", "left", "class_ended"]);
  expect((await live("roomidlist", T, { roomnum: 10001, index: 0, size: 10 })).body.data).toEqual({ total: 0, idlist: [] });
});
