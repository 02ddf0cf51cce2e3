import { startTestServer, type TestServer } from "./support/harness";
import { TEST_APP, sql } from "./support/env";
import { verifyUserSigV2 } from "./support/usersig-verify";

/** Accounts and sessions through the REST door under /api/v1. */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const APPID = TEST_APP.sdkAppId;
const PWD = "c2VjcmV0LXB3ZA==";

const register = (id: string, extra: Record<string, unknown> = {}) =>
  t.rest("POST", "/accounts", { body: { appid: APPID, id, pwd: PWD, role: 1, ...extra } });
const openSession = (id: string, pwd = PWD) => t.rest("POST", "/sessions", { body: { appid: APPID, id, pwd } });

describe("POST /accounts", () => {
  test("201 and the account exists", async () => {
    const answer = await register("rest-teacher");
    expect(answer.status).toBe(201);
    const rows = await sql<{ uid: string; role: number; appid: number }>(`SELECT uid, role, appid FROM "Account" WHERE uid = $1`, ["rest-teacher"]);
    expect(rows).toEqual([{ uid: "rest-teacher", role: 1, appid: APPID }]);
  });

  test("a timeStamp is optional, but checked when present", async () => {
    expect((await register("rest-ts", { timeStamp: 777 })).status).toBe(201);
    const bad = await register("rest-ts-bad", { timeStamp: "x" });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ errorCode: 10003, errorInfo: "Invalid timeStamp" });
  });

  test("a duplicate id (ignoring case) → 409 10004", async () => {
    await register("rest-dup");
    for (const id of ["rest-dup", "REST-DUP"]) {
      const answer = await register(id);
      expect(answer.status).toBe(409);
      expect(answer.body).toEqual({ errorCode: 10004, errorInfo: "Register user id existed" });
    }
    expect(await sql(`SELECT 1 FROM "Account" WHERE "uidKey" = 'rest-dup'`)).toHaveLength(1);
  });

  test("missing id → 400 Lack of id", async () => {
    const answer = await t.rest("POST", "/accounts", { body: { appid: APPID, pwd: PWD, role: 0 } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errorCode: 10003, errorInfo: "Lack of id" });
  });

  test("invalid role → 400 Invalid role, nothing stored", async () => {
    const answer = await register("rest-badrole", { role: 7 });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errorCode: 10003, errorInfo: "Invalid role" });
    expect(await sql(`SELECT 1 FROM "Account" WHERE uid = 'rest-badrole'`)).toHaveLength(0);
  });

  test("malformed JSON → 400 with 10002", async () => {
    const answer = await t.rest("POST", "/accounts", { raw: '{"appid":1400000001,"id":' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errorCode: 10002, errorInfo: "HTTP Request Json Parse Error" });
  });

  test("unknown appid → 400 Invalid appid,maybe not config", async () => {
    const answer = await t.rest("POST", "/accounts", { body: { appid: 1400000009, id: "rest-noapp", pwd: PWD, role: 0 } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errorCode: 10003, errorInfo: "Invalid appid,maybe not config" });
    expect(await sql(`SELECT 1 FROM "Account" WHERE uid = 'rest-noapp'`)).toHaveLength(0);
  });

  test("missing appid → 400 Lack of appid", async () => {
    const answer = await t.rest("POST", "/accounts", { body: { id: "rest-noappid", pwd: PWD, role: 0 } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ errorCode: 10003, errorInfo: "Lack of appid" });
  });
});

describe("sessions", () => {
  beforeAll(async () => {
    expect((await register("rest-user")).status).toBe(201);
  });

  test("POST /sessions → 201 with userSig, token and role", async () => {
    const answer = await openSession("rest-user");
    expect(answer.status).toBe(201);
    expect(Object.keys(answer.body).sort()).toEqual(["role", "token", "userSig"]);
    expect(answer.body.role).toBe(1);
    expect(answer.body.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const { ok, doc } = verifyUserSigV2(answer.body.userSig as string, TEST_APP.secretKey);
    expect(ok).toBe(true);
    expect(doc["TLS.identifier"]).toBe("rest-user");
    expect(doc["TLS.sdkappid"]).toBe(APPID);
  });

  test("wrong password → 401 10006", async () => {
    const answer = await openSession("rest-user", "wrong");
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ errorCode: 10006, errorInfo: "User password error" });
  });

  test("unknown user → 404 10005", async () => {
    const answer = await openSession("rest-nobody");
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ errorCode: 10005, errorInfo: "User not exist" });
  });

  test("DELETE /sessions/current ends the session; the token then no longer works", async () => {
    const token = (await openSession("rest-user")).body.token as string;
    const first = await t.rest("DELETE", "/sessions/current", { token });
    expect(first.status).toBe(204);
    expect(first.body).toBeUndefined();
    const [row] = await sql<{ tokenHash: string | null; logoutAt: Date | null }>(`SELECT "tokenHash", "logoutAt" FROM "Account" WHERE uid = 'rest-user'`);
    expect(row!.tokenHash).toBeNull();
    expect(row!.logoutAt).not.toBeNull();

    const second = await t.rest("DELETE", "/sessions/current", { token });
    expect(second.status).toBe(401);
    expect(second.body).toEqual({ errorCode: 10009, errorInfo: "Token expired" });
    // The app protocol agrees: the token is gone.
    const viaProtocol = await t.call("account", "logout", { appid: APPID, timeStamp: 1, token });
    expect(viaProtocol.body).toEqual({ errorCode: 10008, errorInfo: "Repeat logout" });
  });

  test("a new session ends the previous one", async () => {
    const old = (await openSession("rest-user")).body.token as string;
    const current = (await openSession("rest-user")).body.token as string;
    expect(current).not.toBe(old);
    expect((await t.rest("DELETE", "/sessions/current", { token: old })).status).toBe(401);
    expect((await t.rest("DELETE", "/sessions/current", { token: current })).status).toBe(204);
  });

  test("DELETE without Authorization → 401 Lack of token", async () => {
    const answer = await t.rest("DELETE", "/sessions/current");
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ errorCode: 10003, errorInfo: "Lack of token" });
  });

  test("DELETE with a bogus bearer → 401 Token expired", async () => {
    const answer = await t.rest("DELETE", "/sessions/current", { token: "bogus-token-never-issued" });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ errorCode: 10009, errorInfo: "Token expired" });
  });
});

describe("routes", () => {
  test("an unknown route under /api/v1 → 404", async () => {
    const answer = await t.rest("GET", "/nothing-here");
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ errorCode: 10001, errorInfo: "Invalid request." });
    expect((await t.rest("POST", "/accounts/extra", { body: {} })).status).toBe(404);
  });

  test("a trailing slash is another path: 404, as the OpenAPI document has no such operation", async () => {
    expect((await t.rest("GET", "/live/rooms")).status).not.toBe(404);
    const answer = await t.rest("GET", "/live/rooms/");
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ errorCode: 10001, errorInfo: "Invalid request." });
  });
});
