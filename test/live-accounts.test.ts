import { C, startTestServer, type TestServer } from "./support/harness";
import { sql, TEST_APP, TEST_CLOUD } from "./support/env";
import { verifyUserSigV2 } from "./support/usersig-verify";
import { createHmac } from "node:crypto";
import { inflateSync } from "node:zlib";
import { RedisKeys } from "../src/infra/redis/keys";
import { hashToken } from "../src/services/sessions";

/**
 * The live dialect's account commands the iOS, Mac and Android apps call that the live original
 * served and we did not: authPrivMap (a login with Tencent's privilege map key of a room),
 * verify, kickout (configured admins only), cos.get_sign (the apps' cover uploads, no token),
 * and linksig (not served: a clear refusal).
 */

let t: TestServer;
const PWD = "cGFzcw==";
const OK = { errorCode: 0, errorInfo: "" };
const live = (svc: string, cmd: string, body: unknown = {}, init: { method?: string; raw?: string; contentType?: string | null } = {}) =>
  t.call(svc, cmd, body, { path: "/sxb_dev/index.php", ...init });

async function register(id: string): Promise<string> {
  expect((await live("account", "regist", { id, pwd: PWD })).body).toEqual(OK);
  return (await live("account", "login", { id, pwd: PWD })).body.data.token as string;
}

/** The emulator as an app's SDK entering an AV room: Tencent's checks of its userSig and privilege map key. */
async function enterRoom(body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${t.tencent.url}/__simulate/enter-room`, { method: "POST", body: JSON.stringify({ sdkAppId: TEST_APP.sdkAppId, ...body }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  t = await startTestServer({ LIVE_APPID: String(TEST_APP.sdkAppId), KICKOUT_ADMINS: "live-admin", LIVE_COS_SIGN_PER_MINUTE: "3" });
});
afterAll(() => t.close());

describe("account.authPrivMap (iOS and Mac, before they create or join)", () => {
  const ask = (fields: Record<string, unknown>) => live("account", "authPrivMap", { appid: TEST_APP.sdkAppId, accounttype: 0, ...fields });

  test("a real login and Tencent's privilege map key of that room, which Tencent takes for that room only", async () => {
    const before = await register("ios-host");
    const answer = await ask({ identifier: "ios-host", pwd: PWD, roomnum: 10055, privMap: 255 });
    expect(answer.body).toEqual({ ...OK, data: { userSig: expect.any(String), token: expect.any(String), privMap: 255, privMapEncrypt: expect.any(String) } });
    const { userSig, token, privMapEncrypt } = answer.body.data as { userSig: string; token: string; privMapEncrypt: string };
    // The new token replaces the one of the login before (iOS uses it from now on); the old one works on for
    // 30 s, for the requests the app sent beside this one (iOS reports its member entry at the same moment).
    expect((await live("live", "create", { token, type: "live" })).body.errorCode).toBe(0);
    expect((await live("live", "roomlist", { token: before, index: 0, size: 1 })).body.errorCode).toBe(0);
    const oldSession = RedisKeys.session(hashToken(before));
    const ttl = await t.server.redis.ttl(oldSession);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    await t.server.redis.del(oldSession); // its grace ended
    expect((await live("live", "create", { token: before, type: "live" })).body).toEqual({ errorCode: 10009, errorInfo: "Token expired" });
    expect(verifyUserSigV2(userSig, TEST_APP.secretKey)).toMatchObject({ ok: true, doc: { "TLS.identifier": "ios-host", "TLS.sdkappid": TEST_APP.sdkAppId } });
    // Tencent, as the app's SDK meets it entering the AV room.
    expect(await enterRoom({ identifier: "ios-host", userSig, privateMapKey: privMapEncrypt, roomnum: 10055, privilege: "create" })).toEqual({ status: 200, body: { ok: true } });
    expect(await enterRoom({ identifier: "ios-host", userSig, privateMapKey: privMapEncrypt, roomnum: 10056 })).toMatchObject({ status: 403, body: { errorCode: 70004 } });
    expect(await enterRoom({ identifier: "someone-else", userSig, privateMapKey: privMapEncrypt, roomnum: 10055 })).toMatchObject({ status: 403 });
  });

  test("the key's userbuf, read as Tencent lays it out: the user, the app, the room, now + 600 s, the privileges, the account type", async () => {
    await register("ios-viewer");
    const before = Math.floor(Date.now() / 1000);
    const answer = await ask({ identifier: "ios-viewer", pwd: PWD, roomnum: 4294967295, UPB_ENTER: "1", UPB_RECV_AUDIO: "1", UPB_RECV_VIDEO: 1, accounttype: 14418 });
    expect(answer.body.data.privMap).toBe(2 + 8 + 32);
    const doc = JSON.parse(inflateSync(Buffer.from((answer.body.data.privMapEncrypt as string).replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "="), "base64")).toString()) as Record<string, unknown>;
    const userbuf = Buffer.from(doc["TLS.userbuf"] as string, "base64");
    const account = "ios-viewer";
    expect(userbuf[0]).toBe(0);
    expect(userbuf.readUInt16BE(1)).toBe(account.length);
    expect(userbuf.subarray(3, 3 + account.length).toString()).toBe(account);
    const at = 3 + account.length;
    expect(userbuf.readUInt32BE(at)).toBe(TEST_APP.sdkAppId);
    expect(userbuf.readUInt32BE(at + 4)).toBe(4294967295);
    expect(userbuf.readUInt32BE(at + 8) - before).toBeGreaterThanOrEqual(600);
    expect(userbuf.readUInt32BE(at + 8) - before).toBeLessThanOrEqual(602);
    expect(userbuf.readUInt32BE(at + 12)).toBe(42);
    expect(userbuf.readUInt32BE(at + 16)).toBe(14418);
    const content = `TLS.identifier:${account}\nTLS.sdkappid:${TEST_APP.sdkAppId}\nTLS.time:${String(doc["TLS.time"])}\nTLS.expire:600\nTLS.userbuf:${String(doc["TLS.userbuf"])}\n`;
    expect(doc["TLS.sig"]).toBe(createHmac("sha256", TEST_APP.secretKey).update(content).digest("base64"));
    // Entering with a privilege it was not given (create) is refused; as a viewer it may enter.
    const { userSig, privMapEncrypt } = answer.body.data as { userSig: string; privMapEncrypt: string };
    expect(await enterRoom({ identifier: account, userSig, privateMapKey: privMapEncrypt, roomnum: 4294967295, privilege: "create" })).toMatchObject({ status: 403, body: { errorCode: 70005 } });
    expect((await enterRoom({ identifier: account, userSig, privateMapKey: privMapEncrypt, roomnum: 4294967295, privilege: "enter" })).status).toBe(200);
  });

  test("a numeric identifier is its text (web demos send numbers); no privMap and no flags: all privileges", async () => {
    await register("87546");
    const answer = await ask({ identifier: 87546, pwd: PWD, roomnum: "1554" });
    expect(answer.body.data.privMap).toBe(255);
  });

  test("privMap -1 (the PC client's qint64 of all bits) is all 32 bits of the map, as the original packed it", async () => {
    const answer = await ask({ identifier: "87546", pwd: PWD, roomnum: 7, privMap: -1 });
    expect(answer.body.data.privMap).toBe(-1);
    const doc = JSON.parse(inflateSync(Buffer.from((answer.body.data.privMapEncrypt as string).replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "="), "base64")).toString()) as Record<string, unknown>;
    const userbuf = Buffer.from(doc["TLS.userbuf"] as string, "base64");
    expect(userbuf.readUInt32BE(3 + "87546".length + 12)).toBe(0xffffffff);
  });

  test.each([
    [{}, 10003, "Lack of pwd"],
    [{ pwd: 5 }, 10003, "Invalid pwd"],
    [{ pwd: PWD }, 10003, "Lack of roomnum"],
    [{ pwd: PWD, roomnum: "x" }, 10003, " Invalid roomnum"],
    [{ pwd: PWD, roomnum: 0 }, 10003, " Invalid roomnum"],
    [{ pwd: PWD, roomnum: 4294967296 }, 10003, " Invalid roomnum"],
    [{ pwd: PWD, roomnum: 1 }, 10003, "Lack of identifier"],
    [{ pwd: PWD, roomnum: 1, identifier: ["a"] }, 10003, "Invalid identifier"],
    [{ pwd: PWD, roomnum: 1, identifier: "a", privMap: 1.5 }, 10003, "Invalid privMap"],
    [{ pwd: PWD, roomnum: 1, identifier: "a", accounttype: -1 }, 10003, "Invalid accounttype"],
    [{ pwd: PWD, roomnum: 1, identifier: "nobody-at-all" }, 10005, "User not exist"],
    [{ pwd: "d3Jvbmc=", roomnum: 1, identifier: "ios-host" }, 10006, "User password error"],
    [{ pwd: PWD, roomnum: 1, identifier: "ios-host", appid: 1400027849 }, 10003, "Invalid appid"],
  ])("%j → %i %s (the original never checked the password: anyone could log in as anyone)", async (fields, code, text) => {
    expect((await live("account", "authPrivMap", fields)).body).toEqual({ errorCode: code, errorInfo: text });
  });
});

describe("account.verify", () => {
  test("a valid userSig of that id in the app: success; another id's, another app's, garbage: 10003 Sig verify failed!", async () => {
    await register("verified");
    const sig = (await live("account", "login", { id: "verified", pwd: PWD })).body.data.userSig as string;
    expect((await live("account", "verify", { id: "verified", sig })).body).toEqual({ errorCode: 0, errorInfo: "Sig verify success!" });
    const failed = { errorCode: 10003, errorInfo: "Sig verify failed!" };
    expect((await live("account", "verify", { id: "someone", sig })).body).toEqual(failed);
    expect((await live("account", "verify", { id: "verified", sig, appid: 1400000002 })).body).toEqual(failed);
    const middle = Math.floor(sig.length / 2);
    const tampered = `${sig.slice(0, middle)}${sig[middle] === "A" ? "B" : "A"}${sig.slice(middle + 1)}`;
    expect((await live("account", "verify", { id: "verified", sig: tampered })).body).toEqual(failed);
    expect((await live("account", "verify", { id: "verified" })).body).toEqual({ errorCode: 10003, errorInfo: "Lack of sig" });
    expect((await live("account", "verify", { sig })).body).toEqual({ errorCode: 10003, errorInfo: "Lack of id" });
  });
});

describe("account.kickout: only admins that configuration names", () => {
  test("an admin ends the user's IM login (its userSig no longer enters a room) and its session", async () => {
    await register("live-admin");
    await register("troll");
    const trollSig = (await live("account", "login", { id: "troll", pwd: PWD })).body.data as { userSig: string; token: string };
    expect((await enterRoom({ identifier: "troll", userSig: trollSig.userSig, roomnum: 1 })).status).toBe(200);
    const answer = await live("account", "kickout", { id: "live-admin", pwd: PWD, kickid: "troll" });
    expect(answer.body).toEqual({ ...OK, data: { kickID: "troll", holdSig: false } });
    expect(t.tencent.im.kicked.has(`${TEST_APP.sdkAppId}:troll`)).toBe(true);
    expect(await enterRoom({ identifier: "troll", userSig: trollSig.userSig, roomnum: 1 })).toMatchObject({ status: 403, body: { errorCode: 70006 } });
    expect((await live("live", "create", { token: trollSig.token, type: "live" })).body).toEqual({ errorCode: 10009, errorInfo: "Token expired" });
    expect((await sql<{ tokenHash: string | null }>(`SELECT "tokenHash" FROM "Account" WHERE uid = 'troll'`))[0]!.tokenHash).toBeNull();
  });

  test("holdsig keeps the user's session (its IM login ends all the same)", async () => {
    const token = await register("held");
    expect((await live("account", "kickout", { id: "live-admin", pwd: PWD, kickid: "held", holdsig: 1 })).body).toEqual({ ...OK, data: { kickID: "held", holdSig: true } });
    expect((await live("live", "create", { token, type: "live" })).body.errorCode).toBe(0);
  });

  test.each([
    [{ id: "not-admin", pwd: PWD, kickid: "held" }, 10101, "only configured admins can kick users out."],
    [{ id: "live-admin", pwd: "d3Jvbmc=", kickid: "held" }, 10006, "User password error"],
    [{ id: "live-admin", pwd: PWD, kickid: "nobody-here" }, 10005, "User not exist"],
    [{ id: "live-admin", pwd: PWD }, 10003, "Lack of kickid"],
    [{ id: "live-admin", pwd: PWD, kickid: 5 }, 10003, "Invalid kickid"],
  ])("%j → %i %s; nobody is kicked", async (fields, code, text) => {
    await register("not-admin").catch(() => undefined);
    const kicked = t.tencent.im.kicked.size;
    expect((await live("account", "kickout", fields)).body).toEqual({ errorCode: code, errorInfo: text });
    expect(t.tencent.im.kicked.size).toBe(kicked);
  });

  test("IM refusing the kick: 10103 with its text and the original's data; the session stays", async () => {
    const token = await register("im-down-user");
    t.im.mode = "error";
    try {
      const answer = await live("account", "kickout", { id: "live-admin", pwd: PWD, kickid: "im-down-user" });
      expect(answer.body).toEqual({ errorCode: 10103, errorInfo: "kick out failed: group does not exist or has been dismissed", data: { kickID: "im-down-user", holdSig: false } });
    } finally {
      t.im.mode = "ok";
    }
    expect((await live("live", "create", { token, type: "live" })).body.errorCode).toBe(0);
  });
});

describe("cos.get_sign: the apps' room covers", () => {
  async function v4Upload(path: string, sign: string): Promise<number> {
    const form = new FormData();
    form.set("op", "upload");
    form.set("filecontent", new Blob(["jpeg"]), "cover.jpg");
    const response = await fetch(`${t.tencent.url}/files/v2/${TEST_CLOUD.appId}/sxbedu${path}`, { method: "POST", headers: { authorization: sign }, body: form });
    return ((await response.json()) as { code: number }).code;
  }

  test("Android's empty POST and iOS's bodyless GET get a short-lived multi-use signature of the covers bucket, which COS takes for a new cover; a few a minute per address", async () => {
    const android = await live("cos", "get_sign", undefined, { raw: "", contentType: "application/json; charset=utf-8" });
    expect(android.body).toEqual({ ...OK, data: { sign: expect.any(String) } });
    const ios = await live("cos", "get_sign", undefined, { method: "GET", contentType: null });
    expect(ios.body).toEqual({ ...OK, data: { sign: expect.any(String) } });
    const plain = Buffer.from(ios.body.data.sign as string, "base64").subarray(20).toString();
    const fields = new URLSearchParams(plain);
    expect({ b: fields.get("b"), f: fields.get("f"), lifetime: Number(fields.get("e")) - Number(fields.get("t")) }).toEqual({ b: "sxbedu", f: "", lifetime: 600 });
    expect(await v4Upload("/android-user_1700000000000.jpg", android.body.data.sign as string)).toBe(0);
    // The configured 3 a minute per address: the fourth is refused.
    expect((await live("cos", "get_sign")).body.errorCode).toBe(0);
    expect((await live("cos", "get_sign")).body).toEqual({ errorCode: 10429, errorInfo: "Too many requests, try again later", data: { retryAfter: expect.any(Number) } });
  });

  test("switched off, and a folder of its own", async () => {
    const off = await startTestServer({ LIVE_COS_SIGN: "false" }, { keepStores: true });
    try {
      const answer = await off.call("cos", "get_sign", {}, { path: "/sxb_dev/index.php" });
      expect(answer.body).toEqual({ errorCode: 10001, errorInfo: "cos.get_sign is switched off" });
    } finally {
      await off.close();
    }
    const folder = await startTestServer({ LIVE_COVER_PREFIX: "/covers/", LIVE_COVER_BUCKET: "other" }, { keepStores: true });
    try {
      const sign = (await folder.call("cos", "get_sign", {}, { path: "/sxb_dev/index.php" })).body.data.sign as string;
      const fields = new URLSearchParams(Buffer.from(sign, "base64").subarray(20).toString());
      expect({ b: fields.get("b"), f: fields.get("f") }).toEqual({ b: "other", f: "/covers/" });
    } finally {
      await folder.close();
    }
  });
});

test("live.linksig: a clear refusal (its algorithm is a closed binary's)", async () => {
  const token = await register("linker");
  expect((await live("live", "linksig", { token, id: "x", roomnum: 1, current_roomnum: 2 })).body).toEqual({
    errorCode: 10001,
    errorInfo: "linksig is not served: Tencent's cross-room link signature is made by a closed binary whose algorithm is not public",
  });
  expect((await live("live", "linksig", { id: "x" })).body).toEqual({ errorCode: 10003, errorInfo: "Lack of token" });
  expect(C.appid).toBe(TEST_APP.sdkAppId);
});
