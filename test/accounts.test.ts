import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { OTHER_APP, TEST_APP, sql } from "./support/env";
import { verifyUserSigV2 } from "./support/usersig-verify";
import { RedisKeys } from "../src/infra/redis/keys";
import { hashToken } from "../src/services/sessions";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const regist = (fields: Record<string, unknown>) => t.call("account", "regist", { ...C, ...fields });
const login = (fields: Record<string, unknown>) => t.call("account", "login", { ...C, ...fields });

describe("account.regist", () => {
  test("registers and stores only a salted slow hash of the password", async () => {
    const answer = await regist({ id: "teacher1", pwd: "MTIzNDU2", role: 1 });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"errorCode":0,"errorInfo":""}');
    const rows = await sql<{ uin: number; uid: string; role: number; appid: number; passwordHash: string }>(
      `SELECT uin, uid, role, appid, "passwordHash" FROM "Account" WHERE uid = 'teacher1'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ uid: "teacher1", role: 1, appid: TEST_APP.sdkAppId });
    expect(rows[0]!.uin).toBeGreaterThanOrEqual(10001);
    expect(rows[0]!.passwordHash).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(rows[0]!.passwordHash).not.toContain("MTIzNDU2");
    expect(rows[0]!.passwordHash).not.toContain("123456");
  });

  test("two registrations of one password get different salts", async () => {
    await regist({ id: "salt-a", pwd: "same", role: 0 });
    await regist({ id: "salt-b", pwd: "same", role: 0 });
    const rows = await sql<{ passwordHash: string }>(`SELECT "passwordHash" FROM "Account" WHERE uid IN ('salt-a','salt-b')`);
    expect(rows[0]!.passwordHash).not.toBe(rows[1]!.passwordHash);
  });

  test("ids are unique per app ignoring letter case", async () => {
    await regist({ id: "Dup-User", pwd: "x1", role: 0 });
    expect((await regist({ id: "Dup-User", pwd: "x1", role: 0 })).body).toEqual({ errorCode: 10004, errorInfo: "Register user id existed" });
    expect((await regist({ id: "DUP-USER", pwd: "x1", role: 1 })).body).toEqual({ errorCode: 10004, errorInfo: "Register user id existed" });
    // FIX: accounts belong to their app; the same id may exist in another app.
    const other = await t.call("account", "regist", { appid: OTHER_APP.sdkAppId, timeStamp: 1, id: "dup-user", pwd: "x1", role: 0 });
    expect(other.body).toEqual({ errorCode: 0, errorInfo: "" });
  });

  test("concurrent duplicate registrations: exactly one succeeds", async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => regist({ id: "racer", pwd: "p", role: 0 })));
    const codes = answers.map((a) => a.body.errorCode).sort();
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 10004)).toHaveLength(11);
    expect(await sql(`SELECT 1 FROM "Account" WHERE "uidKey" = 'racer'`)).toHaveLength(1);
  });

  test.each([
    [{ pwd: "p", role: 0 }, "Lack of id"],
    [{ id: "", pwd: "p", role: 0 }, "Lack of id"],
    [{ id: "0", pwd: "p", role: 0 }, "Lack of id"],
    [{ id: 5, pwd: "p", role: 0 }, "Invalid id"],
    [{ id: "x".repeat(51), pwd: "p", role: 0 }, "Invalid id"],
    [{ id: "tab\there", pwd: "p", role: 0 }, "Invalid id"],
    [{ id: "v1", role: 0 }, "Lack of pwd"],
    [{ id: "v1", pwd: "", role: 0 }, "Lack of pwd"],
    [{ id: "v1", pwd: 123456, role: 0 }, "Invalid pwd"],
    [{ id: "v1", pwd: "p".repeat(65), role: 0 }, "Invalid pwd"],
    [{ id: "v1", pwd: "p" }, "Lack of role"],
    [{ id: "v1", pwd: "p", role: null }, "Lack of role"],
    [{ id: "v1", pwd: "p", role: 2 }, "Invalid role"],
    [{ id: "v1", pwd: "p", role: "teacher" }, "Invalid role"],
    [{ id: "v1", pwd: "p", role: 1.5 }, "Invalid role"],
  ])("regist %j → 10003 %s", async (fields, text) => {
    const answer = await regist(fields);
    expect(answer.body).toEqual({ errorCode: 10003, errorInfo: text });
    expect(await sql(`SELECT 1 FROM "Account" WHERE uid = 'v1'`)).toHaveLength(0);
  });

  test("accepts a 64-byte password, a 50-character id and a numeric-string role", async () => {
    const id = "i".repeat(50);
    expect((await regist({ id, pwd: "p".repeat(64), role: "1" })).body.errorCode).toBe(0);
    expect((await login({ id, pwd: "p".repeat(64) })).body.data.role).toBe(1);
  });
});

describe("account.login", () => {
  beforeAll(async () => {
    await regist({ id: "loginuser", pwd: "c2VjcmV0", role: 1 });
  });

  test("returns a verifiable IM userSig v2, a random token and the role", async () => {
    const answer = await login({ id: "loginuser", pwd: "c2VjcmV0" });
    expect(answer.body.errorCode).toBe(0);
    expect(Object.keys(answer.body)).toEqual(["errorCode", "errorInfo", "data"]);
    expect(Object.keys(answer.body.data)).toEqual(["userSig", "token", "role"]);
    expect(answer.body.data.role).toBe(1);
    const { ok, doc } = verifyUserSigV2(answer.body.data.userSig, TEST_APP.secretKey);
    expect(ok).toBe(true);
    expect(doc["TLS.identifier"]).toBe("loginuser");
    expect(doc["TLS.sdkappid"]).toBe(TEST_APP.sdkAppId);
    expect(doc["TLS.expire"]).toBe(15552000);
    expect(Math.abs((doc["TLS.time"] as number) - Date.now() / 1000)).toBeLessThan(60);
    // ≥ 128 random bits: 32 base64url characters carry 192.
    expect(answer.body.data.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test("the token is stored only as a hash, cached in Redis with the idle expiry", async () => {
    const answer = await login({ id: "loginuser", pwd: "c2VjcmV0" });
    const token = answer.body.data.token as string;
    const [row] = await sql<{ tokenHash: string }>(`SELECT "tokenHash" FROM "Account" WHERE uid = 'loginuser'`);
    expect(row!.tokenHash).toBe(hashToken(token));
    expect(row!.tokenHash).not.toContain(token);
    const ttl = await t.server.redis.ttl(RedisKeys.session(hashToken(token)));
    expect(ttl).toBeGreaterThan(604800 - 60);
    expect(ttl).toBeLessThanOrEqual(604800);
  });

  test("a new login replaces the token (single session)", async () => {
    const first = (await login({ id: "loginuser", pwd: "c2VjcmV0" })).body.data.token as string;
    const second = (await login({ id: "loginuser", pwd: "c2VjcmV0" })).body.data.token as string;
    expect(second).not.toBe(first);
    expect(await t.server.redis.exists(RedisKeys.session(hashToken(first)))).toBe(0);
    expect((await t.call("account", "logout", { ...C, token: first })).body).toEqual({ errorCode: 10008, errorInfo: "Repeat logout" });
  });

  test.each([
    [{ id: "loginuser", pwd: "wrong" }, 10006, "User password error"],
    [{ id: "LOGINUSER", pwd: "c2VjcmV0" }, 10005, "User not exist"],
    [{ id: "nobody", pwd: "c2VjcmV0" }, 10005, "User not exist"],
    [{ pwd: "c2VjcmV0" }, 10003, "Lack of id"],
    [{ id: "loginuser" }, 10003, "Lack of pwd"],
    [{ id: "loginuser", pwd: ["x"] }, 10003, "Invalid pwd"],
  ])("login %j → %i %s", async (fields, code, text) => {
    expect((await login(fields)).body).toEqual({ errorCode: code, errorInfo: text });
  });

  test("an account cannot log in through another configured app", async () => {
    const answer = await t.call("account", "login", { appid: OTHER_APP.sdkAppId, timeStamp: 1, id: "loginuser", pwd: "c2VjcmV0" });
    expect(answer.body).toEqual({ errorCode: 10005, errorInfo: "User not exist" });
  });
});

describe("account.logout", () => {
  test("logs out once; the token is then dead", async () => {
    const token = await signUp(t, "leaver", 0);
    expect((await t.call("account", "logout", { ...C, token })).body).toEqual({ errorCode: 0, errorInfo: "" });
    const [row] = await sql<{ tokenHash: string | null; logoutAt: Date | null }>(`SELECT "tokenHash", "logoutAt" FROM "Account" WHERE uid = 'leaver'`);
    expect(row!.tokenHash).toBeNull();
    expect(row!.logoutAt).not.toBeNull();
    expect(await t.server.redis.exists(RedisKeys.session(hashToken(token)))).toBe(0);
    expect((await t.call("account", "logout", { ...C, token })).body).toEqual({ errorCode: 10008, errorInfo: "Repeat logout" });
  });

  test.each([
    [{}, "Lack of token"],
    [{ token: "" }, "Lack of token"],
    [{ token: 123 }, "Invalid token"],
    [{ token: ["a"] }, "Invalid token"],
  ])("logout %j → 10003 %s", async (fields, text) => {
    expect((await t.call("account", "logout", { ...C, ...fields })).body).toEqual({ errorCode: 10003, errorInfo: text });
  });

  test("an unknown token is a repeat logout", async () => {
    expect((await t.call("account", "logout", { ...C, token: "never-issued" })).body).toEqual({ errorCode: 10008, errorInfo: "Repeat logout" });
  });
});

describe("common fields", () => {
  test.each([
    [{ timeStamp: 1 }, "Lack of appid"],
    [{ appid: 0, timeStamp: 1 }, "Lack of appid"],
    [{ appid: "", timeStamp: 1 }, "Lack of appid"],
    [{ appid: "abc", timeStamp: 1 }, "Invalid appidid"],
    [{ appid: "1400000001x", timeStamp: 1 }, "Invalid appidid"],
    [{ appid: 1400000001.5, timeStamp: 1 }, "Invalid appidid"],
    [{ appid: 1400000009, timeStamp: 1 }, "Invalid appid,maybe not config"],
    [{ appid: 1400000001 }, "Lack of timeStamp"],
    [{ appid: 1400000001, timeStamp: 0 }, "Lack of timeStamp"],
    [{ appid: 1400000001, timeStamp: "x" }, "Invalid timeStamp"],
    [{ appid: 1400000001, timeStamp: 1.5 }, "Invalid timeStamp"],
  ])("%j → 10003 %s", async (common, text) => {
    const answer = await t.call("account", "regist", { ...common, id: "cf", pwd: "p", role: 0 });
    expect(answer.body).toEqual({ errorCode: 10003, errorInfo: text });
  });

  test("numeric strings are accepted for appid and timeStamp", async () => {
    const answer = await t.call("account", "regist", { appid: "1400000001", timeStamp: "777", id: "stringy", pwd: "p", role: 0 });
    expect(answer.body).toEqual({ errorCode: 0, errorInfo: "" });
  });
});
