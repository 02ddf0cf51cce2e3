import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { sql } from "./support/env";

/**
 * Input PostgreSQL cannot store or that changes under case folding is refused at
 * validation with the field's own 10003 text: never 90000, never a row, and never another
 * request's failure.
 */

let t: TestServer;
let T: string;
let S: string;
let roomnum: number;
beforeAll(async () => {
  t = await startTestServer();
  ({ T, S } = await signUpClassroom(t));
  roomnum = (await t.call("live", "create", { ...C, token: T, title: "hostile" })).body.data.roomnum as number;
});
afterAll(() => t.close());

const live = (cmd: string, token: string, fields: Record<string, unknown>) => t.call("live", cmd, { ...C, token, ...fields });
const invalid = (errorInfo: string) => ({ errorCode: 10003, errorInfo });
const count = async (table: string) => Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`))[0]!.n);

const NUL = "a\u0000b";
const LONE_HIGH = "ls\ud800";
const LONE_LOW = "ls\udfff";

describe("NUL and lone surrogates in any string field → that field's 10003 text, nothing written", () => {
  const bindFile = (over: Record<string, unknown>) => ({ type: 0, file_name: "f", url: "http://u", ...over });
  test.each([
    ["live.create title", "create", { title: NUL }, " Invalid title", "Course"],
    ["live.create cover", "create", { title: "x", cover: NUL }, " Invalid cover", "Course"],
    ["live.create title (lone surrogate)", "create", { title: LONE_HIGH }, " Invalid title", "Course"],
    ["live.reportbind file_name", "reportbind", { operate: 0, bind_file: bindFile({ file_name: NUL }) }, "invalide bindfile.filename", "Binding"],
    ["live.reportbind url", "reportbind", { operate: 0, bind_file: bindFile({ url: NUL }) }, "invalide bindfile.url", "Binding"],
    ["live.reportbind url (lone surrogate)", "reportbind", { operate: 0, bind_file: bindFile({ url: LONE_LOW }) }, "invalide bindfile.url", "Binding"],
  ])("%s", async (_name, cmd, fields, text, table) => {
    const before = await count(table);
    const answer = await live(cmd, T, fields);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: invalid(text) });
    expect(await count(table)).toBe(before);
  });

  test("live.roomlist host_uid with NUL → host_uid invalid", async () => {
    expect((await live("roomlist", S, { index: 0, size: 1, host_uid: NUL })).body).toEqual(invalid("host_uid invalid"));
  });

  test.each([
    ["id", { id: NUL, pwd: "cA==", role: 0 }, "Invalid id"],
    ["id (lone surrogate)", { id: LONE_HIGH, pwd: "cA==", role: 0 }, "Invalid id"],
    ["pwd", { id: "nul-pwd", pwd: NUL, role: 0 }, "Invalid pwd"],
    ["pwd (lone surrogate)", { id: "ls-pwd", pwd: "\ud800", role: 0 }, "Invalid pwd"],
  ])("account.regist %s", async (_name, fields, text) => {
    const before = await count("Account");
    expect((await t.call("account", "regist", { ...C, ...fields })).body).toEqual(invalid(text));
    expect(await count("Account")).toBe(before);
  });

  test("ids differing only in a lone surrogate no longer collide (both refused)", async () => {
    expect((await t.call("account", "regist", { ...C, id: LONE_HIGH, pwd: "cA==", role: 0 })).body).toEqual(invalid("Invalid id"));
    expect((await t.call("account", "regist", { ...C, id: "ls\udbff", pwd: "cA==", role: 0 })).body).toEqual(invalid("Invalid id"));
    expect((await t.call("account", "login", { ...C, id: LONE_HIGH, pwd: "cA==" })).body).toEqual(invalid("Invalid id"));
  });

  test("REST bodies and queries too: 400 with the field's text", async () => {
    const answer = await t.rest("POST", "/courses", { token: T, body: { title: NUL } });
    expect(answer).toEqual({ status: 400, body: invalid(" Invalid title") });
    const query = await t.rest("GET", `/courses?host_uid=${encodeURIComponent(NUL)}`, { token: S });
    expect(query).toEqual({ status: 400, body: invalid("host_uid invalid") });
    const bind = await t.rest("POST", `/courses/${roomnum}/bindings`, { token: T, body: { type: 0, file_name: "x", url: NUL } });
    expect(bind).toEqual({ status: 400, body: invalid("invalide bindfile.url") });
  });

  test("while such requests run, other users' concurrent requests are unaffected", async () => {
    const valid = () => live("roomlist", S, { index: 0, size: 5, host_uid: "teacher1" });
    const hostile = () => live("roomlist", S, { index: 0, size: 5, host_uid: NUL });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? valid() : hostile())));
    answers.forEach((answer, i) => expect(answer.body.errorCode).toBe(i % 2 === 0 ? 0 : 10003));
  });
});

describe("case folding is validated on the folded form (one rule: default Unicode lower-casing)", () => {
  test("26 × İ (folds to 52 characters) → Invalid id; 25 × İ (folds to 50) registers and logs in", async () => {
    expect((await t.call("account", "regist", { ...C, id: "İ".repeat(26), pwd: "cA==", role: 0 })).body).toEqual(invalid("Invalid id"));
    expect((await t.call("account", "regist", { ...C, id: "İ".repeat(25), pwd: "cA==", role: 0 })).body.errorCode).toBe(0);
    expect((await t.call("account", "login", { ...C, id: "İ".repeat(25), pwd: "cA==" })).body.errorCode).toBe(0);
    const [row] = await sql<{ uidKey: string }>(`SELECT "uidKey" FROM "Account" WHERE uid = $1`, ["İ".repeat(25)]);
    expect(row!.uidKey).toBe("İ".repeat(25).toLowerCase());
  });
});

describe('"-0" is not a canonical integer', () => {
  test.each([
    ["startcourse", { roomnum: "-0" }, " Invalid roomnum"],
    ["roomlist", { index: "-0", size: 1 }, "Page index should be a non-negative integer"],
    ["roomidlist", { roomnum: "-0", index: 0, size: 1 }, " Invalid roomnum"],
  ])("live.%s %j → %j", async (cmd, fields, text) => {
    expect((await live(cmd, T, fields)).body).toEqual(invalid(text));
  });

  test("the JSON number -0 is the integer 0", async () => {
    expect((await live("roomlist", S, { index: -0, size: 1 })).body.errorCode).toBe(0);
  });
});

test("a fresh student signs up and can still log in after all this (nothing half-written)", async () => {
  const token = await signUp(t, "after-hostile", 0);
  expect((await live("roomlist", token, { index: 0, size: 1 })).body.errorCode).toBe(0);
});
