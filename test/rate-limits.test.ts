import { C, startTestServer, type TestServer } from "./support/harness";
import { sql } from "./support/env";
import { RedisKeys } from "../src/infra/redis/keys";
import { createLogger } from "../src/logger";
import { type RunningServer, startServer } from "../src/server";
import { type OpenApiCheck, openApiCheckOf } from "./support/openapi-check";

/**
 * Abuse limits kept in Redis: logins and registrations (both dialects, authPrivMap included)
 * per client address and per account named, token commands per user (the heartbeat apart), a
 * member's heartbeats in its class (counted in the beat's own script call).
 * Over a limit: 10429 "Too many requests, try again later" with `retryAfter`; REST: 429 with
 * Retry-After. Two instances sharing Redis share the counts; a limit of 0 is none.
 */

const PWD = "cGFzc3dvcmQ=";
const TOO_MANY = { errorCode: 10429, errorInfo: "Too many requests, try again later", data: { retryAfter: expect.any(Number) } };

let t: TestServer;
let b: RunningServer;
let nextAddress = 1;
/** A client address of its own (TRUST_PROXY: the address the proxy appended), so each test counts from zero. */
const freshAddress = () => `198.51.100.${nextAddress++}`;

async function post(url: string, path: string, body: Record<string, unknown>, address: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": address }, body: JSON.stringify(body) });
  const answer = { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  // REST's 429 too is an answer the OpenAPI document describes.
  if (path.startsWith("/api/v1/")) (await (openApi ??= openApiCheckOf(url))).check("POST", path, answer.status, answer.body);
  return answer;
}
let openApi: Promise<OpenApiCheck> | undefined;
const login = (id: string, address: string, url = t.url, pwd = PWD) => post(url, "/index.php?svc=account&cmd=login", { ...C, id, pwd }, address);
const uinOf = async (id: string) => (await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = $1`, [id]))[0]!.uin;
const regist = (id: string, address: string, role = 0) => post(t.url, "/index.php?svc=account&cmd=regist", { ...C, id, pwd: PWD, role }, address);

beforeAll(async () => {
  t = await startTestServer({ LOGIN_PER_ADDRESS_PER_MINUTE: "6", LOGIN_PER_ACCOUNT_PER_MINUTE: "3", TOKEN_REQUESTS_PER_MINUTE: "5", HEARTBEATS_PER_MINUTE: "12" });
  b = await startServer(t.server.config, { log: createLogger("silent") });
});
afterAll(async () => {
  await b.close();
  await t.close();
});

test("logins naming one account: 3 a minute, registration, right or wrong password alike, whatever the id's case; then 10429 with the seconds to wait", async () => {
  const address = freshAddress();
  expect((await regist("guessed", address)).body.errorCode).toBe(0); // a registration names the account: counted
  expect((await login("guessed", freshAddress(), t.url, "d3Jvbmc=")).body.errorCode).toBe(10006); // wrong password: counted
  expect((await login("guessed", freshAddress())).body.errorCode).toBe(0);
  const refused = await login("guessed", freshAddress());
  expect(refused.body).toEqual(TOO_MANY);
  // The same account in another case (ids are unique per app whatever their case): refused too.
  expect((await login("GUESSED", freshAddress())).body).toEqual(TOO_MANY);
  const retryAfter = (refused.body.data as { retryAfter: number }).retryAfter;
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  // The count is in Redis, under the limit's prefix.
  expect(await t.server.redis.exists(`${RedisKeys.rateLimit("loginPerAccount")}:${C.appid}:guessed`)).toBe(1);
  // Another account is not affected.
  expect((await regist("other-account", freshAddress())).body.errorCode).toBe(0);
});

test("logins and registrations from one client address: 6 a minute across ids and both dialects", async () => {
  const address = freshAddress();
  for (let i = 0; i < 4; i++) expect((await regist(`crowd-${i}`, address)).body.errorCode).toBe(0);
  expect((await login("crowd-0", address)).body.errorCode).toBe(0);
  expect((await post(t.url, "/sxb/index.php?svc=account&cmd=login", { id: "crowd-1", pwd: PWD }, address)).body.errorCode).toBe(0);
  expect((await login("crowd-2", address)).body).toEqual(TOO_MANY);
  expect((await post(t.url, "/sxb/index.php?svc=account&cmd=authPrivMap", { identifier: "crowd-3", pwd: PWD, roomnum: 1 }, address)).body).toEqual(TOO_MANY);
  expect((await regist("crowd-9", address)).body).toEqual(TOO_MANY);
  // Another address goes on.
  expect((await login("crowd-2", freshAddress())).body.errorCode).toBe(0);
});

test("REST answers 429 with Retry-After", async () => {
  const address = freshAddress();
  expect((await regist("rest-limited", address)).body.errorCode).toBe(0);
  const session = (address: string) => post(t.url, "/api/v1/sessions", { appid: C.appid, id: "rest-limited", pwd: PWD }, address);
  for (let i = 0; i < 2; i++) expect((await session(freshAddress())).status).toBe(201);
  const refused = await session(freshAddress());
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  expect(refused.body).toEqual(TOO_MANY);
});

test("two instances share the counts", async () => {
  expect((await regist("shared-count", freshAddress())).body.errorCode).toBe(0);
  expect((await login("shared-count", freshAddress(), b.url)).body.errorCode).toBe(0);
  expect((await login("shared-count", freshAddress(), t.url)).body.errorCode).toBe(0);
  expect((await login("shared-count", freshAddress(), b.url)).body).toEqual(TOO_MANY);
});

test("token commands: 5 a minute per user, the heartbeat apart", async () => {
  expect((await regist("busy-teacher", freshAddress(), 1)).body.errorCode).toBe(0);
  const token = (await login("busy-teacher", freshAddress())).body.data as { token: string };
  const live = (cmd: string, fields: Record<string, unknown>) => t.call("live", cmd, { ...C, token: token.token, ...fields });
  const roomnum = (await live("create", { title: "limited" })).body.data.roomnum as number;
  expect((await live("startcourse", { roomnum })).body.errorCode).toBe(0);
  for (let i = 0; i < 3; i++) expect((await live("roomlist", { index: 0, size: 1 })).body.errorCode).toBe(0);
  expect((await live("roomlist", { index: 0, size: 1 })).body).toEqual(TOO_MANY);
  // Beats are not counted, and go on.
  for (let i = 0; i < 10; i++) expect((await live("heartbeat", { roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
  // Per user: another user is not affected.
  expect((await regist("calm-student", freshAddress())).body.errorCode).toBe(0);
  const student = (await login("calm-student", freshAddress())).body.data as { token: string };
  expect((await t.call("live", "roomlist", { ...C, token: student.token, index: 0, size: 1 })).body.errorCode).toBe(0);
});

test("heartbeats: 12 a minute per member, counted in the beat's own call and shared by instances; over it nothing is written", async () => {
  expect((await regist("beating-teacher", freshAddress(), 1)).body.errorCode).toBe(0);
  expect((await regist("beating-student", freshAddress())).body.errorCode).toBe(0);
  const tokenOf = async (id: string) => ((await login(id, freshAddress())).body.data as { token: string }).token;
  const [teacher, student] = [await tokenOf("beating-teacher"), await tokenOf("beating-student")];
  const roomnum = (await t.call("live", "create", { ...C, token: teacher, title: "beats" })).body.data.roomnum as number;
  expect((await t.call("live", "startcourse", { ...C, token: teacher, roomnum })).body.errorCode).toBe(0);
  expect((await t.call("live", "reportmemid", { ...C, token: student, roomnum, operate: 0 })).body.errorCode).toBe(0);
  const beat = (url: string, token: string) => post(url, "/index.php?svc=live&cmd=heartbeat", { ...C, token, roomnum }, freshAddress());
  for (let i = 0; i < 6; i++) expect((await beat(t.url, student)).body).toEqual({ errorCode: 0, errorInfo: "" });
  for (let i = 0; i < 6; i++) expect((await beat(b.url, student)).body).toEqual({ errorCode: 0, errorInfo: "" });
  const presence = RedisKeys.coursePresence(roomnum);
  const lastTaken = Number(await t.server.redis.zscore(presence, String(await uinOf("beating-student"))));
  const refused = await beat(t.url, student);
  expect(refused.body).toEqual(TOO_MANY);
  const retryAfter = (refused.body.data as { retryAfter: number }).retryAfter;
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  // Nothing written for the refused beat.
  expect(Number(await t.server.redis.zscore(presence, String(await uinOf("beating-student"))))).toBe(lastTaken);
  // The teacher, another member, beats on.
  expect((await beat(b.url, teacher)).body).toEqual({ errorCode: 0, errorInfo: "" });
  // The counts live with the class's keys (one hash slot) and go away two minutes after the last beat.
  const ttl = await t.server.redis.pttl(RedisKeys.courseBeatRate(roomnum));
  expect(ttl).toBeGreaterThan(100000);
  expect(ttl).toBeLessThanOrEqual(120000);
});

describe("a limit of 0 is none", () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await startTestServer({ LOGIN_PER_ACCOUNT_PER_MINUTE: "0", LOGIN_PER_ADDRESS_PER_MINUTE: "0" }, { keepStores: true });
  });
  afterAll(() => open.close());

  test("20 logins of one account from one address pass", async () => {
    const address = freshAddress();
    await post(open.url, "/index.php?svc=account&cmd=regist", { ...C, id: "unlimited", pwd: PWD, role: 0 }, address);
    for (let i = 0; i < 20; i++) expect((await login("unlimited", address, open.url)).body.errorCode).toBe(0);
  });
});
