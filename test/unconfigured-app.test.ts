import fc from "fast-check";
import { C, startTestServer, type TestServer } from "./support/harness";
import { OTHER_APP, sql, TEST_APP } from "./support/env";
import { capturingLogger } from "./support/logs";
import { verifyUserSigV2 } from "./support/usersig-verify";

/**
 * A request that names an app SDK_APPS lacks is refused on every dialect and door (10003;
 * the classroom's "Invalid appid,maybe not config", the live dialect's "Invalid appid", its
 * original's text for an app it had no keys for), never served as another app; the server
 * warns once per appid which app was asked for. A live request naming no app is LIVE_APPID's.
 * The case that found it: a real 随心播 web client sends appid 1400027849.
 */

let t: TestServer;
const captured = capturingLogger("info");
const WEB_CLIENT_APP = 1400027849;
const PWD = "cGFzcw==";
const LIVE_REFUSED = { errorCode: 10003, errorInfo: "Invalid appid" };
const CLASSROOM_REFUSED = { errorCode: 10003, errorInfo: "Invalid appid,maybe not config" };
const OK = { errorCode: 0, errorInfo: "" };

const sxb = (cmd: string, body: Record<string, unknown> = {}, svc = "live") => t.call(svc, cmd, body, { path: "/sxb/index.php" });
/** The warnings naming an appid that SDK_APPS lacks. */
const warningsAbout = (appid: number) => captured.lines.filter((line) => line.level === 40 && line.appid === appid);

beforeAll(async () => {
  // LIVE_APPID is OTHER_APP here, so that "served as LIVE_APPID" and "served as the app named" differ.
  t = await startTestServer({ LIVE_APPID: String(OTHER_APP.sdkAppId) }, { log: captured.log });
});
afterAll(() => t.close());

describe("the live dialect", () => {
  test("regist and login naming an app that is not configured are refused (no account, no userSig of another app)", async () => {
    for (const appid of [WEB_CLIENT_APP, String(WEB_CLIENT_APP)]) {
      expect((await sxb("regist", { id: "web", pwd: PWD, appid }, "account")).body).toEqual(LIVE_REFUSED);
      expect((await sxb("login", { id: "web", pwd: PWD, appid }, "account")).body).toEqual(LIVE_REFUSED);
    }
    expect(await sql(`SELECT uid FROM "Account" WHERE uid = 'web'`)).toEqual([]);
  });

  test("an appid that names nothing configured in any form is refused too: not a number, a float, true", async () => {
    for (const appid of ["abc", "1400000001x", 1400000001.5, true, [TEST_APP.sdkAppId]]) expect({ appid, body: (await sxb("login", { id: "web", pwd: PWD, appid }, "account")).body }).toEqual({ appid, body: LIVE_REFUSED });
  });

  test("a request that names no app (absent, null, \"\", 0) is LIVE_APPID's; one naming a configured app is that app's", async () => {
    expect((await sxb("regist", { id: "android", pwd: PWD }, "account")).body).toEqual(OK);
    for (const named of [{}, { appid: null }, { appid: "" }, { appid: 0 }, { appid: "0" }]) {
      const login = await sxb("login", { id: "android", pwd: PWD, ...named }, "account");
      expect(verifyUserSigV2(login.body.data.userSig as string, OTHER_APP.secretKey)).toMatchObject({ ok: true, doc: { "TLS.sdkappid": OTHER_APP.sdkAppId } });
    }
    expect((await sxb("regist", { id: "ios", pwd: PWD, appid: TEST_APP.sdkAppId }, "account")).body).toEqual(OK);
    const login = await sxb("login", { id: "ios", pwd: PWD, appid: String(TEST_APP.sdkAppId) }, "account");
    expect(verifyUserSigV2(login.body.data.userSig as string, TEST_APP.secretKey)).toMatchObject({ ok: true, doc: { "TLS.sdkappid": TEST_APP.sdkAppId } });
    expect(await sql(`SELECT uid, appid FROM "Account" WHERE uid IN ('android', 'ios') ORDER BY uid`)).toEqual([
      { uid: "android", appid: OTHER_APP.sdkAppId },
      { uid: "ios", appid: TEST_APP.sdkAppId },
    ]);
  });

  describe("token commands, and a reported room's room.appid", () => {
    let host: string;
    let roomnum: number;
    const room = (appid: unknown) => ({ title: "web", roomnum, type: "live", groupid: String(roomnum), cover: "c", appid, device: 2, videotype: 0 });
    beforeAll(async () => {
      await sxb("regist", { id: "host", pwd: PWD, appid: TEST_APP.sdkAppId }, "account");
      host = (await sxb("login", { id: "host", pwd: PWD, appid: TEST_APP.sdkAppId }, "account")).body.data.token as string;
      roomnum = (await sxb("create", { token: host, type: "live" })).body.data.roomnum as number;
    });

    test("a token command naming an app that is not configured is refused, the heartbeat included; naming none or another configured app, the session's app decides", async () => {
      expect((await sxb("roomlist", { token: host, index: 0, size: 10, appid: WEB_CLIENT_APP })).body).toEqual(LIVE_REFUSED);
      expect((await sxb("heartbeat", { token: host, roomnum, role: 1, appid: WEB_CLIENT_APP })).body).toEqual(LIVE_REFUSED);
      expect((await sxb("create", { token: host, type: "live", appid: String(WEB_CLIENT_APP) })).body).toEqual(LIVE_REFUSED);
      expect((await sxb("heartbeat", { token: host, roomnum, role: 1 })).body).toEqual(OK);
      // roomlist's appid filter: another configured app than the session's lists nothing (rooms stay within their app).
      expect((await sxb("roomlist", { token: host, index: 0, size: 10, appid: OTHER_APP.sdkAppId })).body.data).toEqual({ total: 0, rooms: [] });
    });

    test("reportroom: room.appid must be the host's app: one not configured is \"Invalid appid\", another configured one \"appid is diff from appid of the user.\"; nothing is written", async () => {
      expect((await sxb("reportroom", { token: host, room: room(WEB_CLIENT_APP) })).body).toEqual(LIVE_REFUSED);
      expect((await sxb("reportroom", { token: host, room: room(String(WEB_CLIENT_APP)) })).body).toEqual(LIVE_REFUSED);
      for (const appid of ["abc", "", 0]) expect((await sxb("reportroom", { token: host, room: room(appid) })).body).toEqual(LIVE_REFUSED);
      expect((await sxb("reportroom", { token: host, room: room(OTHER_APP.sdkAppId) })).body).toEqual({ errorCode: 10003, errorInfo: "appid is diff from appid of the user." });
      expect(await t.rest("POST", "/live/room-reports", { token: host, body: { room: room(WEB_CLIENT_APP) } })).toEqual({ status: 400, body: LIVE_REFUSED });
      expect(await sql(`SELECT roomnum FROM "LiveRoom"`)).toEqual([]);
      expect((await sxb("reportroom", { token: host, room: room(String(TEST_APP.sdkAppId)) })).body).toEqual(OK);
      expect(await sql(`SELECT roomnum, "reportedAppid" FROM "LiveRoom"`)).toEqual([{ roomnum, reportedAppid: String(TEST_APP.sdkAppId) }]);
    });
  });
});

test("the classroom and REST refuse it too, with the classroom's text", async () => {
  expect((await t.call("account", "regist", { appid: WEB_CLIENT_APP, timeStamp: 1, id: "web", pwd: PWD, role: 0 })).body).toEqual(CLASSROOM_REFUSED);
  expect((await t.call("account", "login", { appid: String(WEB_CLIENT_APP), timeStamp: 1, id: "web", pwd: PWD })).body).toEqual(CLASSROOM_REFUSED);
  expect((await t.call("live", "roomlist", { appid: WEB_CLIENT_APP, timeStamp: 1, token: "x", index: 0, size: 1 })).body).toEqual(CLASSROOM_REFUSED);
  expect(await t.rest("POST", "/sessions", { body: { appid: WEB_CLIENT_APP, id: "web", pwd: PWD } })).toEqual({ status: 400, body: CLASSROOM_REFUSED });
  expect((await t.call("account", "login", { ...C, id: "nobody", pwd: PWD })).body.errorCode).toBe(10005);
});

test("the server warned once per appid, in this process, naming the app asked for and SDK_APPS; an appid that is no number names no app to log", async () => {
  // Every request above named WEB_CLIENT_APP (some 20 of them, on every door): one line.
  expect(warningsAbout(WEB_CLIENT_APP)).toEqual([
    expect.objectContaining({ appid: WEB_CLIENT_APP, configured: [TEST_APP.sdkAppId, OTHER_APP.sdkAppId], msg: expect.stringMatching(/app 1400027849, which SDK_APPS lacks/) }),
  ]);
  await sxb("login", { id: "web", pwd: PWD, appid: 1400000099 }, "account");
  await t.call("account", "login", { appid: 1400000099, timeStamp: 1, id: "web", pwd: PWD });
  expect(warningsAbout(1400000099)).toHaveLength(1);
  expect(warningsAbout(WEB_CLIENT_APP)).toHaveLength(1);
  expect(captured.lines.filter((line) => line.level === 40 && typeof line.msg === "string" && line.msg.includes("SDK_APPS"))).toHaveLength(2);
});

test("a flood of made-up appids writes at most 100 warnings, and one line saying the rest go unlogged", async () => {
  for (let i = 0; i < 150; i++) expect((await sxb("login", { id: "web", pwd: PWD, appid: 1500000000 + i }, "account")).body).toEqual(LIVE_REFUSED);
  const unconfigured = captured.lines.filter((line) => line.level === 40 && typeof line.appid === "number");
  expect(unconfigured).toHaveLength(100);
  expect(captured.lines.filter((line) => line.level === 40 && line.limit === 100)).toHaveLength(1);
});

describe("property: whatever the live dialect's appid, a request is the app it names, LIVE_APPID when it names none, or refused", () => {
  const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2147483647);
  const CONFIGURED = new Map([TEST_APP, OTHER_APP].map((app) => [app.sdkAppId, app]));
  /** What the value names, decided here independently of src/: nothing (PHP-empty), an integer, or something that is no app. */
  const named = (value: unknown): "none" | number | "invalid" => {
    if (value === undefined || value === null || value === false || value === 0 || value === "" || value === "0") return "none";
    if (typeof value === "number" && Number.isSafeInteger(value)) return value;
    if (typeof value === "string" && /^(0|-?[1-9][0-9]*)$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    return "invalid";
  };
  const near = (appid: number) => fc.constantFrom(appid, String(appid), ` ${appid}`, `${appid} `, `+${appid}`, `0${appid}`, `${appid}.0`, `${appid}e0`, appid + 0.5, -appid, [appid], { appid });
  const appidValue = fc.oneof(
    fc.constantFrom(undefined, null, false, true, 0, -0, "", "0", "-0", "00", [], {}, "null", "undefined", 2 ** 53, -(2 ** 53), 1e308, "\u0000", "１４００００００００１"),
    near(TEST_APP.sdkAppId),
    near(OTHER_APP.sdkAppId),
    near(WEB_CLIENT_APP),
    fc.integer(),
    fc.integer({ min: 1400000000, max: 1400000003 }),
    fc.string({ maxLength: 12 }),
    fc.double(),
  );
  let host: string;
  beforeAll(async () => {
    for (const app of [TEST_APP, OTHER_APP]) await sxb("regist", { id: "prop", pwd: PWD, appid: app.sdkAppId }, "account");
    await sxb("regist", { id: "prop-host", pwd: PWD, appid: TEST_APP.sdkAppId }, "account");
    host = (await sxb("login", { id: "prop-host", pwd: PWD, appid: TEST_APP.sdkAppId }, "account")).body.data.token as string;
  });

  test("login (which app's userSig) and a token command (refused or served)", async () => {
    const property = fc.asyncProperty(appidValue, async (appid) => {
      const names = named((JSON.parse(JSON.stringify({ appid })) as { appid?: unknown }).appid); // as it arrives (Infinity is null on the wire)
      const app = names === "none" ? OTHER_APP : typeof names === "number" ? CONFIGURED.get(names) : undefined;
      const login = await sxb("login", { id: "prop", pwd: PWD, ...(appid === undefined ? {} : { appid }) }, "account");
      if (!app) {
        expect(login.body).toEqual(LIVE_REFUSED);
      } else {
        expect(login.body.errorCode).toBe(0);
        expect(verifyUserSigV2(login.body.data.userSig as string, app.secretKey)).toMatchObject({ ok: true, doc: { "TLS.sdkappid": app.sdkAppId } });
      }
      const list = await sxb("livestreamlist", { token: host, index: 0, size: 1, ...(appid === undefined ? {} : { appid }) });
      expect(list.body.errorCode).toBe(app ? 0 : 10003);
    });
    await fc.assert(property, { seed: SEED, numRuns: 150 }).catch((error: unknown) => {
      console.error(`property failed with FUZZ_SEED=${SEED}`);
      throw error;
    });
  });
});
