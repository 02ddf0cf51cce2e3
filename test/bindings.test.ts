import { C, signUp, startTestServer, type ProtocolAnswer, type TestServer } from "./support/harness";
import { OTHER_APP, sql } from "./support/env";

/**
 * live.reportbind / live.querybind over the app protocol (protocol.md §6.11, §6.12 and
 * "Our decisions" › Bindings: FIX B11, B12).
 */

let t: TestServer;
let T: string; // bd-teacher: owns every course below
let T2: string; // bd-teacher2: another teacher
let S: string; // bd-student: enters the living courses
let S2: string; // bd-student2: never enters anything
let S3: string; // bd-student3: enters and leaves
let O: string; // a teacher of another app

let LIVING: number; // living, S and S3 entered (S3 left)
let CREATED: number; // never started
let ENDED: number; // started then ended, S entered before the end
let OTHER: number; // T2's course, created

const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });
const bind = (token: string, fields: Record<string, unknown>) => live("reportbind", token, { operate: 0, ...fields });
const unbind = (token: string, fields: Record<string, unknown>) => live("reportbind", token, { operate: 1, ...fields });
const query = (token: string, fields: Record<string, unknown> = {}) => live("querybind", token, { index: 0, size: 50, ...fields });
const file = (url: string, extra: Record<string, unknown> = {}) => ({ type: 0, file_name: url.split("/").pop(), url, ...extra });

const OK = { errorCode: 0, errorInfo: "" };

function expectAnswer(answer: ProtocolAnswer, body: { errorCode: number; errorInfo: string; data?: unknown }): void {
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual(body);
}

async function createCourse(token = T): Promise<number> {
  const answer = await live("create", token, { title: "bindings" });
  expect(answer.body.errorCode).toBe(0);
  return answer.body.data.roomnum as number;
}

async function uinOf(uid: string): Promise<number> {
  const [row] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = $1`, [uid]);
  if (!row) throw new Error(`no account ${uid}`);
  return row.uin;
}

interface BindingRow {
  id: number;
  uin: number;
  roomnum: number | null;
  scope: string;
  type: number;
  fileName: string;
  url: string;
  boundAt: Date;
}
const allBindings = () => sql<BindingRow & Record<string, unknown>>(`SELECT * FROM "Binding" ORDER BY id`);
const bindingsOf = (roomnum: number) =>
  sql<{ uin: number; type: number; fileName: string; url: string }>(`SELECT uin, type, "fileName", url FROM "Binding" WHERE roomnum = $1 ORDER BY id`, [roomnum]);
const libraryOf = async (uid: string) =>
  sql<{ type: number; fileName: string; url: string }>(`SELECT type, "fileName", url FROM "Binding" WHERE roomnum IS NULL AND uin = $1 ORDER BY id`, [
    await uinOf(uid),
  ]);

/** Runs `act` and checks the Binding table is exactly as before (no half-written rows). */
async function unchanged(act: () => Promise<void>): Promise<void> {
  const before = await allBindings();
  await act();
  expect(await allBindings()).toEqual(before);
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);

beforeAll(async () => {
  t = await startTestServer();
  T = await signUp(t, "bd-teacher", 1);
  T2 = await signUp(t, "bd-teacher2", 1);
  S = await signUp(t, "bd-student", 0);
  S2 = await signUp(t, "bd-student2", 0);
  S3 = await signUp(t, "bd-student3", 0);
  O = await signUp(t, "bd-other-app", 1, OTHER_APP);

  LIVING = await createCourse();
  expect((await live("startcourse", T, { roomnum: LIVING })).body).toEqual(OK);
  expect((await live("reportmemid", S, { roomnum: LIVING, operate: 0 })).body).toEqual(OK);
  expect((await live("reportmemid", S3, { roomnum: LIVING, operate: 0 })).body).toEqual(OK);
  expect((await live("reportmemid", S3, { roomnum: LIVING, operate: 1 })).body).toEqual(OK);

  CREATED = await createCourse();

  ENDED = await createCourse();
  expect((await live("startcourse", T, { roomnum: ENDED })).body).toEqual(OK);
  expect((await live("reportmemid", S, { roomnum: ENDED, operate: 0 })).body).toEqual(OK);
  expect((await bind(T, { roomnum: ENDED, bind_file: file("http://cos/ended.ppt") })).body).toEqual(OK);
  expect((await live("exitroom", T, { roomnum: ENDED })).body).toEqual(OK);

  OTHER = await createCourse(T2);
});
afterAll(() => t.close());

describe("reportbind to a course", () => {
  test("its teacher binds: 0, and the row holds binder, course, type, name and url", async () => {
    const answer = await bind(T, { roomnum: LIVING, bind_file: { type: 0, file_name: "a.ppt", url: "http://cos/a.ppt" } });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"errorCode":0,"errorInfo":""}');
    expect(await bindingsOf(LIVING)).toEqual([{ uin: await uinOf("bd-teacher"), type: 0, fileName: "a.ppt", url: "http://cos/a.ppt" }]);
  });

  test("the same url again → 10104 has binded. (whatever the name and type)", async () => {
    await unchanged(async () => {
      expectAnswer(await bind(T, { roomnum: LIVING, bind_file: { type: 1, file_name: "other.mp4", url: "http://cos/a.ppt" } }), {
        errorCode: 10104,
        errorInfo: "has binded.",
      });
    });
  });

  test("a video (type 1) binds too; unbinding removes exactly that row", async () => {
    expectAnswer(await bind(T, { roomnum: LIVING, bind_file: { type: 1, file_name: "v.mp4", url: "http://vod/v.mp4" } }), OK);
    expect((await bindingsOf(LIVING)).map((b) => [b.type, b.url])).toEqual([
      [0, "http://cos/a.ppt"],
      [1, "http://vod/v.mp4"],
    ]);
    expectAnswer(await unbind(T, { roomnum: LIVING, bind_file: { type: 1, file_name: "v.mp4", url: "http://vod/v.mp4" } }), OK);
    expect((await bindingsOf(LIVING)).map((b) => b.url)).toEqual(["http://cos/a.ppt"]);
  });

  test("unbinding a url that is not bound → 10105", async () => {
    await unchanged(async () => {
      expectAnswer(await unbind(T, { roomnum: LIVING, bind_file: file("http://none") }), { errorCode: 10105, errorInfo: "the resource not binded" });
      // Unbinding twice: the second finds nothing.
      expectAnswer(await unbind(T, { roomnum: LIVING, bind_file: file("http://vod/v.mp4") }), { errorCode: 10105, errorInfo: "the resource not binded" });
    });
  });

  test("a created (not yet started) course accepts bindings", async () => {
    expectAnswer(await bind(T, { roomnum: CREATED, bind_file: file("http://cos/created.ppt") }), OK);
    expect((await bindingsOf(CREATED)).map((b) => b.url)).toEqual(["http://cos/created.ppt"]);
  });

  test("roomnum as a canonical decimal string is accepted (FIX Types)", async () => {
    expectAnswer(await bind(T, { roomnum: String(CREATED), bind_file: { type: "1", file_name: "s.mp4", url: "http://vod/s.mp4" } }), OK);
    expect((await bindingsOf(CREATED)).at(-1)).toMatchObject({ type: 1, url: "http://vod/s.mp4" });
    expectAnswer(await unbind(T, { roomnum: String(CREATED), bind_file: file("http://vod/s.mp4") }), OK);
  });

  test("a student binding to the course → 10101, nothing stored; unbinding the teacher's file → 10101, nothing removed", async () => {
    const denied = { errorCode: 10101, errorInfo: "only the teacher can bind/unbind a resource." };
    await unchanged(async () => {
      expectAnswer(await bind(S, { roomnum: LIVING, bind_file: file("http://cos/student.ppt") }), denied);
      expectAnswer(await unbind(S, { roomnum: LIVING, bind_file: file("http://cos/a.ppt") }), denied);
      // A student who is not a member either, and a teacher who does not own the course.
      expectAnswer(await bind(S2, { roomnum: LIVING, bind_file: file("http://cos/student.ppt") }), denied);
      expectAnswer(await bind(T2, { roomnum: LIVING, bind_file: file("http://cos/t2.ppt") }), denied);
      expectAnswer(await unbind(T2, { roomnum: LIVING, bind_file: file("http://cos/a.ppt") }), denied);
    });
  });

  test("the role check comes before the duplicate check (a student re-binding a bound url → 10101)", async () => {
    await unchanged(async () => {
      expectAnswer(await bind(S, { roomnum: LIVING, bind_file: file("http://cos/a.ppt") }), {
        errorCode: 10101,
        errorInfo: "only the teacher can bind/unbind a resource.",
      });
    });
  });

  test("an unknown course, or one of another app → 10100", async () => {
    await unchanged(async () => {
      expectAnswer(await bind(T, { roomnum: 99999, bind_file: file("http://cos/x.ppt") }), { errorCode: 10100, errorInfo: "get room info failed" });
      expectAnswer(await unbind(T, { roomnum: 99999, bind_file: file("http://cos/x.ppt") }), { errorCode: 10100, errorInfo: "get room info failed" });
      const foreign = await t.call("live", "reportbind", {
        appid: OTHER_APP.sdkAppId,
        timeStamp: 1,
        token: O,
        roomnum: LIVING,
        operate: 0,
        bind_file: file("http://cos/x.ppt"),
      });
      expectAnswer(foreign, { errorCode: 10100, errorInfo: "get room info failed" });
    });
  });

  test("an ended course → 10102 for bind and unbind; its bindings stay", async () => {
    const state = { errorCode: 10102, errorInfo: "only state=created/living room can bind resource" };
    await unchanged(async () => {
      expectAnswer(await bind(T, { roomnum: ENDED, bind_file: file("http://cos/late.ppt") }), state);
      expectAnswer(await unbind(T, { roomnum: ENDED, bind_file: file("http://cos/ended.ppt") }), state);
    });
    expect((await bindingsOf(ENDED)).map((b) => b.url)).toEqual(["http://cos/ended.ppt"]);
  });

  test("concurrent binds of one url to one course: exactly one succeeds, one row", async () => {
    const url = "http://cos/race.ppt";
    const answers = await Promise.all(Array.from({ length: 8 }, () => bind(T, { roomnum: CREATED, bind_file: file(url) })));
    const codes = answers.map((a) => a.body.errorCode).sort();
    expect(codes).toEqual([0, ...Array(7).fill(10104)]);
    for (const a of answers) if (a.body.errorCode !== 0) expect(a.body).toEqual({ errorCode: 10104, errorInfo: "has binded." });
    expect(await sql(`SELECT 1 FROM "Binding" WHERE roomnum = $1 AND url = $2`, [CREATED, url])).toHaveLength(1);
    expectAnswer(await unbind(T, { roomnum: CREATED, bind_file: file(url) }), OK);
  });

  test("the same url may be bound to two courses (and to a library); unbinding one leaves the others", async () => {
    const url = "http://cos/shared.ppt";
    expectAnswer(await bind(T, { roomnum: LIVING, bind_file: file(url) }), OK);
    expectAnswer(await bind(T, { roomnum: CREATED, bind_file: file(url) }), OK);
    expectAnswer(await bind(T2, { roomnum: OTHER, bind_file: file(url) }), OK);
    expectAnswer(await bind(T, { bind_file: file(url) }), OK);
    const rows = await sql<{ roomnum: number | null }>(`SELECT roomnum FROM "Binding" WHERE url = $1 ORDER BY id`, [url]);
    expect(rows.map((r) => r.roomnum)).toEqual([LIVING, CREATED, OTHER, null]);

    expectAnswer(await unbind(T, { roomnum: CREATED, bind_file: file(url) }), OK);
    const left = await sql<{ roomnum: number | null }>(`SELECT roomnum FROM "Binding" WHERE url = $1 ORDER BY id`, [url]);
    expect(left.map((r) => r.roomnum)).toEqual([LIVING, OTHER, null]);
    // Clean up for the listings below.
    expectAnswer(await unbind(T, { roomnum: LIVING, bind_file: file(url) }), OK);
    expectAnswer(await unbind(T2, { roomnum: OTHER, bind_file: file(url) }), OK);
    expectAnswer(await unbind(T, { bind_file: file(url) }), OK);
    expect(await sql(`SELECT 1 FROM "Binding" WHERE url = $1`, [url])).toHaveLength(0);
  });
});

describe("a user's own library (no roomnum)", () => {
  test("a student binds without roomnum → 0, stored with no course", async () => {
    expectAnswer(await bind(S, { bind_file: { type: 0, file_name: "mine.ppt", url: "http://cos/mine.ppt" } }), OK);
    expectAnswer(await bind(S, { roomnum: null, bind_file: { type: 1, file_name: "mine.mp4", url: "http://vod/mine.mp4" } }), OK);
    expect(await libraryOf("bd-student")).toEqual([
      { type: 0, fileName: "mine.ppt", url: "http://cos/mine.ppt" },
      { type: 1, fileName: "mine.mp4", url: "http://vod/mine.mp4" },
    ]);
  });

  test("repeat bind → 10104; unbind → 0; again → 10105", async () => {
    expectAnswer(await bind(S2, { bind_file: file("http://cos/s2.ppt") }), OK);
    await unchanged(async () => {
      expectAnswer(await bind(S2, { bind_file: file("http://cos/s2.ppt") }), { errorCode: 10104, errorInfo: "has binded." });
    });
    expectAnswer(await unbind(S2, { bind_file: file("http://cos/s2.ppt") }), OK);
    expect(await libraryOf("bd-student2")).toEqual([]);
    expectAnswer(await unbind(S2, { bind_file: file("http://cos/s2.ppt") }), { errorCode: 10105, errorInfo: "the resource not binded" });
  });

  test("libraries are per user: the same url in two libraries; one user cannot unbind another's", async () => {
    expectAnswer(await bind(T, { bind_file: file("http://cos/mine.ppt") }), OK);
    await unchanged(async () => {
      expectAnswer(await unbind(S2, { bind_file: file("http://cos/mine.ppt") }), { errorCode: 10105, errorInfo: "the resource not binded" });
    });
    expect((await libraryOf("bd-teacher")).map((b) => b.url)).toEqual(["http://cos/mine.ppt"]);
    expect((await libraryOf("bd-student")).map((b) => b.url)).toContain("http://cos/mine.ppt");
  });

  test("querybind without roomnum lists only the caller's library, newest first", async () => {
    const mine = await query(S);
    expect(mine.status).toBe(200);
    expect(mine.body.errorCode).toBe(0);
    expect(mine.body.data.total).toBe(2);
    expect(mine.body.data.bind_files.map((f: { url: string }) => f.url)).toEqual(["http://vod/mine.mp4", "http://cos/mine.ppt"]);

    const teacher = await query(T);
    expect(teacher.body.data).toMatchObject({ total: 1 });
    expect(teacher.body.data.bind_files.map((f: { url: string }) => f.url)).toEqual(["http://cos/mine.ppt"]);

    // Nothing bound to any course shows up in a library.
    expect((await query(T2)).body).toEqual({ errorCode: 0, errorInfo: "", data: { total: 0, bind_files: [] } });
    expect((await query(S2)).body).toEqual({ errorCode: 0, errorInfo: "", data: { total: 0, bind_files: [] } });
  });
});

describe("reportbind validation (10003, first failure wins, nothing stored)", () => {
  const good = { type: 0, file_name: "v.ppt", url: "http://cos/v.ppt" };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["no operate", { bind_file: good }, "Lack of operate"],
    ["operate null", { operate: null, bind_file: good }, "Lack of operate"],
    ["operate 2", { operate: 2, bind_file: good }, " Invalid operate"],
    ["operate -1", { operate: -1, bind_file: good }, " Invalid operate"],
    ["operate \"bind\"", { operate: "bind", bind_file: good }, " Invalid operate"],
    ["operate 0.5", { operate: 0.5, bind_file: good }, " Invalid operate"],
    ["no bind_file", { operate: 0 }, "Lack of bind_file"],
    ["bind_file null", { operate: 0, bind_file: null }, "Lack of bind_file"],
    ["bind_file \"x\"", { operate: 0, bind_file: "x" }, "bind_file must be array"],
    ["bind_file 5", { operate: 0, bind_file: 5 }, "bind_file must be array"],
    ["bind_file true", { operate: 1, bind_file: true }, "bind_file must be array"],
    ["bind_file {}", { operate: 0, bind_file: {} }, "Lack info bindfile.type"],
    ["no type", { operate: 0, bind_file: { file_name: "v", url: "http://v" } }, "Lack info bindfile.type"],
    ["type 2", { operate: 0, bind_file: { ...good, type: 2 } }, "invalide bindfile.type"],
    ["type -1", { operate: 0, bind_file: { ...good, type: -1 } }, "invalide bindfile.type"],
    ["type \"zero\"", { operate: 0, bind_file: { ...good, type: "zero" } }, "invalide bindfile.type"],
    ["type 0.5", { operate: 0, bind_file: { ...good, type: 0.5 } }, "invalide bindfile.type"],
    ["type \"0x\" (not canonical)", { operate: 0, bind_file: { ...good, type: "0x" } }, "invalide bindfile.type"],
    ["no file_name", { operate: 0, bind_file: { type: 0, url: "http://v" } }, "Lack info bindfile.file_name"],
    ["file_name 5", { operate: 0, bind_file: { ...good, file_name: 5 } }, "invalide bindfile.filename"],
    ["file_name \"\"", { operate: 0, bind_file: { ...good, file_name: "" } }, "invalide bindfile.filename"],
    ["file_name []", { operate: 0, bind_file: { ...good, file_name: [] } }, "invalide bindfile.filename"],
    ["no url", { operate: 0, bind_file: { type: 0, file_name: "v" } }, "Lack info bindfile.url"],
    ["url 5", { operate: 0, bind_file: { ...good, url: 5 } }, "invalide bindfile.url"],
    ["url \"\"", { operate: 0, bind_file: { ...good, url: "" } }, "invalide bindfile.url"],
    ["url {}", { operate: 0, bind_file: { ...good, url: {} } }, "invalide bindfile.url"],
    ["unbind with url \"\"", { operate: 1, bind_file: { ...good, url: "" } }, "invalide bindfile.url"],
    // roomnum comes first, must be a positive integer when present (FIX B11).
    ["roomnum 0", { roomnum: 0, operate: 0, bind_file: good }, "Invalid roomnum"],
    ["roomnum -1", { roomnum: -1, operate: 0, bind_file: good }, "Invalid roomnum"],
    ["roomnum \"abc\"", { roomnum: "abc", operate: 0, bind_file: good }, "Invalid roomnum"],
    ["roomnum 1.5", { roomnum: 1.5, operate: 0, bind_file: good }, "Invalid roomnum"],
    ["roomnum \"10001abc\"", { roomnum: "10001abc", operate: 0, bind_file: good }, "Invalid roomnum"],
    ["roomnum [1]", { roomnum: [1], operate: 0, bind_file: good }, "Invalid roomnum"],
    // Order: roomnum, operate, bind_file, type, file_name, url.
    ["bad roomnum and no operate", { roomnum: "abc" }, "Invalid roomnum"],
    ["bad operate and bad bind_file", { operate: 7, bind_file: "x" }, " Invalid operate"],
    ["bad type and no url", { operate: 0, bind_file: { type: "zero", file_name: 5 } }, "invalide bindfile.type"],
    ["bad file_name and bad url", { operate: 0, bind_file: { type: 1, file_name: "", url: "" } }, "invalide bindfile.filename"],
  ];

  test.each(cases)("%s → %j", async (_name, fields, info) => {
    for (const [token, roomnum] of [
      [T, LIVING],
      [S, undefined],
    ] as const) {
      await unchanged(async () => {
        const body = roomnum === undefined || "roomnum" in fields ? fields : { roomnum, ...fields };
        const answer = await t.call("live", "reportbind", { ...C, token, ...body });
        expectAnswer(answer, { errorCode: 10003, errorInfo: info });
      });
    }
  });

  // protocol.md §6.11 (KEEP): bind_file must be an object/array; a JSON array is one, and
  // then its keys are checked: it has no "type" key.
  test.each([
    ["bind_file []", []],
    ["bind_file [0, \"v\", \"http://v\"]", [0, "v", "http://v"]],
  ])("%s → Lack info bindfile.type", async (_name, bindFile) => {
    await unchanged(async () => {
      expectAnswer(await bind(T, { roomnum: LIVING, bind_file: bindFile }), { errorCode: 10003, errorInfo: "Lack info bindfile.type" });
    });
  });

  // protocol.md §6.11 (KEEP): "Lack info …" is for a missing key only; a key holding null
  // is present and not of the right type.
  test.each([
    ["type null → invalide bindfile.type", { ...good, type: null }, "invalide bindfile.type"],
    ["file_name null → invalide bindfile.filename", { ...good, file_name: null }, "invalide bindfile.filename"],
    ["url null → invalide bindfile.url", { ...good, url: null }, "invalide bindfile.url"],
  ])("%s", async (_name, bindFile, info) => {
    await unchanged(async () => {
      expectAnswer(await bind(T, { roomnum: LIVING, bind_file: bindFile }), { errorCode: 10003, errorInfo: info });
    });
  });

  test("the common checks come first (token, appid)", async () => {
    await unchanged(async () => {
      expectAnswer(await t.call("live", "reportbind", { ...C, operate: 0, bind_file: good }), { errorCode: 10003, errorInfo: "Lack of token" });
      expectAnswer(await t.call("live", "reportbind", { ...C, token: "nope", operate: 0, bind_file: good }), { errorCode: 10009, errorInfo: "Token expired" });
    });
  });
});

describe("querybind of a course", () => {
  const BASE = 1_700_000_000;
  let Q: number;
  let urls: string[];
  beforeAll(async () => {
    Q = await createCourse();
    expect((await live("startcourse", T, { roomnum: Q })).body).toEqual(OK);
    expect((await live("reportmemid", S, { roomnum: Q, operate: 0 })).body).toEqual(OK);
    expect((await live("reportmemid", S3, { roomnum: Q, operate: 0 })).body).toEqual(OK);
    expect((await live("reportmemid", S3, { roomnum: Q, operate: 1 })).body).toEqual(OK);
    urls = ["http://cos/q0.ppt", "http://vod/q1.mp4", "http://cos/q2.ppt"];
    for (const [i, url] of urls.entries()) {
      expectAnswer(await bind(T, { roomnum: Q, bind_file: { type: i % 2, file_name: `q${i}`, url } }), OK);
    }
    // Known bind times, 100 s apart.
    for (const [i, url] of urls.entries()) {
      await sql(`UPDATE "Binding" SET "boundAt" = to_timestamp($1) WHERE roomnum = $2 AND url = $3`, [BASE + 100 * i, Q, url]);
    }
  });

  const entry = (i: number) => ({ type: i % 2, bind_time: BASE + 100 * i, file_name: `q${i}`, url: urls[i] });
  const listed = (answer: ProtocolAnswer) => {
    expect(answer.status).toBe(200);
    expect(answer.body.errorCode).toBe(0);
    return answer.body.data as { total: number; bind_files: unknown[] };
  };

  test("its teacher gets every binding, newest first, {type, bind_time, file_name, url}", async () => {
    expectAnswer(await query(T, { roomnum: Q, size: 10 }), {
      errorCode: 0,
      errorInfo: "",
      data: { total: 3, bind_files: [entry(2), entry(1), entry(0)] },
    });
  });

  test("bind_time is the row's bind time in Unix seconds", async () => {
    const rows = await sql<{ boundAt: Date }>(`SELECT "boundAt" FROM "Binding" WHERE roomnum = $1 ORDER BY id DESC`, [Q]);
    const data = listed(await query(T, { roomnum: Q }));
    expect((data.bind_files as Array<{ bind_time: number }>).map((f) => f.bind_time)).toEqual(rows.map((r) => unix(r.boundAt)));
  });

  test("a student who entered the class reads the same list (FIX B12), as does one who entered and left", async () => {
    const expected = { total: 3, bind_files: [entry(2), entry(1), entry(0)] };
    expect(listed(await query(S, { roomnum: Q }))).toEqual(expected);
    expect(listed(await query(S3, { roomnum: Q }))).toEqual(expected);
  });

  test("after the class ended, its members still read the bindings", async () => {
    expect(listed(await query(S, { roomnum: ENDED }))).toMatchObject({ total: 1, bind_files: [{ type: 0, file_name: "ended.ppt", url: "http://cos/ended.ppt" }] });
    expect(listed(await query(T, { roomnum: ENDED })).total).toBe(1);
  });

  test("a student who never entered, or another teacher → 10101", async () => {
    for (const token of [S2, T2]) {
      expectAnswer(await query(token, { roomnum: Q }), {
        errorCode: 10101,
        errorInfo: "only the teacher and members of the course can query its bindings.",
      });
    }
  });

  test("an unknown course, or one of another app → 10100", async () => {
    expectAnswer(await query(T, { roomnum: 99999 }), { errorCode: 10100, errorInfo: "get room info failed" });
    const foreign = await t.call("live", "querybind", { appid: OTHER_APP.sdkAppId, timeStamp: 1, token: O, roomnum: Q, index: 0, size: 10 });
    expectAnswer(foreign, { errorCode: 10100, errorInfo: "get room info failed" });
  });

  test("a course without bindings → total 0", async () => {
    expect(listed(await query(T, { roomnum: await createCourse() }))).toEqual({ total: 0, bind_files: [] });
  });

  test("paging: index and size", async () => {
    expect(listed(await query(T, { roomnum: Q, index: 1, size: 1 }))).toEqual({ total: 3, bind_files: [entry(1)] });
    expect(listed(await query(T, { roomnum: Q, index: 2, size: 5 }))).toEqual({ total: 3, bind_files: [entry(0)] });
    expect(listed(await query(T, { roomnum: Q, index: 0, size: 2 }))).toEqual({ total: 3, bind_files: [entry(2), entry(1)] });
  });

  test("an index past the end → empty list with the right total", async () => {
    expect(listed(await query(T, { roomnum: Q, index: 3, size: 10 }))).toEqual({ total: 3, bind_files: [] });
    expect(listed(await query(T, { roomnum: Q, index: 1000, size: 10 }))).toEqual({ total: 3, bind_files: [] });
  });

  test("size 0 → empty list with the right total; size 50 is allowed", async () => {
    expect(listed(await query(T, { roomnum: Q, index: 0, size: 0 }))).toEqual({ total: 3, bind_files: [] });
    expect(listed(await query(T, { roomnum: Q, index: 0, size: 50 })).bind_files).toHaveLength(3);
  });

  test("index and size as canonical decimal strings are accepted (FIX Types)", async () => {
    expect(listed(await query(T, { roomnum: String(Q), index: "1", size: "1" }))).toEqual({ total: 3, bind_files: [entry(1)] });
  });

  test("from_time and to_time filter on bind_time, both inclusive", async () => {
    expect(listed(await query(T, { roomnum: Q, from_time: BASE + 100 }))).toEqual({ total: 2, bind_files: [entry(2), entry(1)] });
    expect(listed(await query(T, { roomnum: Q, from_time: BASE + 101 }))).toEqual({ total: 1, bind_files: [entry(2)] });
    expect(listed(await query(T, { roomnum: Q, to_time: BASE + 100 }))).toEqual({ total: 2, bind_files: [entry(1), entry(0)] });
    expect(listed(await query(T, { roomnum: Q, to_time: BASE + 99 }))).toEqual({ total: 1, bind_files: [entry(0)] });
    expect(listed(await query(T, { roomnum: Q, from_time: BASE + 100, to_time: BASE + 100 }))).toEqual({ total: 1, bind_files: [entry(1)] });
    expect(listed(await query(T, { roomnum: Q, from_time: BASE + 201 }))).toEqual({ total: 0, bind_files: [] });
    // 0 means no bound; there is no from ≤ to check (an inverted range is just empty).
    expect(listed(await query(T, { roomnum: Q, from_time: 0, to_time: 0 })).total).toBe(3);
    expect(listed(await query(T, { roomnum: Q, from_time: BASE + 200, to_time: BASE }))).toEqual({ total: 0, bind_files: [] });
    // Filters combine with paging.
    expect(listed(await query(T, { roomnum: Q, from_time: BASE, index: 1, size: 1 }))).toEqual({ total: 3, bind_files: [entry(1)] });
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["size 51", { size: 51 }, "Page size should be a positive integer(not larger than 50)"],
    ["size -1", { size: -1 }, "Page size should be a positive integer(not larger than 50)"],
    ["size \"x\"", { size: "x" }, "Page size should be a positive integer(not larger than 50)"],
    ["no size", { size: undefined }, "Lack of page size"],
    ["index -1", { index: -1 }, "Page index should be a non-negative integer"],
    ["index 0.5", { index: 0.5 }, "Page index should be a non-negative integer"],
    ["no index", { index: undefined }, "Lack of page index"],
    ["from_time \"x\"", { from_time: "x" }, "Invalid from_time"],
    ["from_time 1.5", { from_time: 1.5 }, "Invalid from_time"],
    ["to_time \"x\"", { to_time: "x" }, "Invalid to_time"],
    ["to_time [1]", { to_time: [1] }, "Invalid to_time"],
    ["roomnum \"abc\"", { roomnum: "abc" }, "Invalid roomnum"],
    ["roomnum 1.5", { roomnum: 1.5 }, "Invalid roomnum"],
  ])("%s → %j", async (_name, fields, info) => {
    const body: Record<string, unknown> = { ...C, token: T, roomnum: Q, index: 0, size: 10, ...fields };
    for (const key of Object.keys(fields)) if (fields[key] === undefined) delete body[key];
    expectAnswer(await t.call("live", "querybind", body), { errorCode: 10003, errorInfo: info });
  });
});
