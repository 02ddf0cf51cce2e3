import { createHash } from "node:crypto";
import { memberRef, RedisKeys } from "../src/infra/redis/keys";
import { livePlayUrls } from "../src/infra/tencent/live-urls";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { sql, TEST_APP, TEST_CALLBACK_KEY } from "./support/env";
import { liveCallbackSignature } from "./support/callbacks";
import { createLogger } from "../src/logger";
import { startServer } from "../src/server";

/**
 * The 随心播 live dialect (live-protocol.md) under /sxb/: the flow real live-show apps run
 * (host: login → create → reportroom → heartbeat; viewer: roomlist → join → heartbeat →
 * mic on/off → leave; host exitroom; record list; stream list), with the field types
 * different clients send, every command's error texts, the play URLs, the callback, and
 * the separation from the classroom dialect on the same core.
 */

let t: TestServer;
const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
/** A live-dialect request: no common fields (apps send no appid or timeStamp). */
const sxb = (cmd: string, body: Record<string, unknown> = {}, svc = "live") => t.call(svc, cmd, body, { path: "/sxb/index.php" });
const OK = { errorCode: 0, errorInfo: "" };

async function liveLogin(id: string, extra: Record<string, unknown> = {}): Promise<string> {
  expect((await sxb("regist", { id, pwd: "cGFzcw==", ...extra }, "account")).body).toEqual(OK);
  const login = await sxb("login", { id, pwd: "cGFzcw==", ...extra }, "account");
  expect(Object.keys(login.body.data)).toEqual(["userSig", "token"]);
  return login.body.data.token as string;
}

async function liveRoom(host: string, title = "show", videotype = 0): Promise<number> {
  const created = await sxb("create", { token: host, type: "live" });
  const roomnum = created.body.data.roomnum as number;
  const report = { token: host, room: { title, roomnum, type: "live", groupid: String(roomnum), cover: "http://x/c.png", appid: TEST_APP.sdkAppId, device: 1, videotype } };
  expect((await sxb("reportroom", report)).body).toEqual(OK);
  return roomnum;
}

beforeAll(async () => {
  t = await startTestServer({ LIVE_APPID: String(TEST_APP.sdkAppId) });
});
afterAll(() => t.close());

test("on the defaults every path the live apps post to speaks the live dialect; the classroom keeps every other", async () => {
  const regist = (id: string, path: string) => t.call("account", "regist", { id, pwd: "cGFzcw==" }, { path });
  for (const [i, path] of ["/sxb_dev/index.php", "/sxb_dev/", "/sxb_new/", "/sxb/index.php"].entries()) expect((await regist(`path-user-${i}`, path)).body).toEqual(OK);
  // The classroom requires its common fields.
  expect((await regist("path-user-classroom", "/index.php")).body).toEqual({ errorCode: 10003, errorInfo: "Lack of appid" });
  expect((await regist("path-user-other", "/sxb_prod/index.php")).body).toEqual({ errorCode: 10003, errorInfo: "Lack of appid" });
});

describe("a live show, as the apps run it", () => {
  let host: string;
  let viewer: string;
  let roomnum: number;
  beforeAll(async () => {
    host = await liveLogin("anchor"); // Android: no appid at all
    viewer = await liveLogin("fan", { appid: String(TEST_APP.sdkAppId) }); // PC: appid as a string
  });

  test("the host creates (groupid a string), reports and beats; viewers see the room", async () => {
    const created = await sxb("create", { token: host, type: "live" });
    expect(created.body).toEqual({ ...OK, data: { roomnum: expect.any(Number), groupid: String(created.body.data.roomnum) } });
    roomnum = created.body.data.roomnum as number;
    const report = {
      token: host,
      room: { title: "晚间直播", roomnum, type: "live", groupid: String(roomnum), cover: "http://x/c.png", appid: TEST_APP.sdkAppId, device: 1, videotype: 0, host: "" },
      lbs: { longitude: 113.94, latitude: 22.54, address: "深圳" },
    };
    expect((await sxb("reportroom", report)).body).toEqual(OK);
    const [info] = await sql<{ type: string; groupId: string; device: number; videoType: number; longitude: number; address: string }>(`SELECT * FROM "LiveRoom" WHERE roomnum = $1`, [roomnum]);
    expect(info).toMatchObject({ type: "live", groupId: String(roomnum), device: 1, videoType: 0, longitude: 113.94, address: "深圳" });
    expect((await sxb("heartbeat", { token: host, roomnum, role: 1, thumbup: 7 })).body).toEqual(OK);
    const list = await sxb("roomlist", { token: viewer, type: "live", index: 0, size: 20, appid: TEST_APP.sdkAppId, isIOS: 1 });
    expect(list.body.data.total).toBe(1);
    expect(list.body.data.rooms).toEqual([{ uid: "anchor", info: { title: "晚间直播", roomnum, type: "live", groupid: String(roomnum), cover: "http://x/c.png", thumbup: 7, memsize: 1 } }]);
  });

  test("the stream list and the room's play URLs: BIZID_md5(roomnum_uid_main) as RTMP, FLV, HLS", async () => {
    const stream = `8888_${md5(`${roomnum}_anchor_main`)}`;
    const urls = { address: `rtmp://8888.liveplay.myqcloud.com/live/${stream}`, address2: `http://8888.liveplay.myqcloud.com/live/${stream}.flv`, address3: `http://8888.liveplay.myqcloud.com/live/${stream}.m3u8` };
    expect((await sxb("livestreamlist", { token: viewer, index: 0, size: 10 })).body.data).toEqual({ total: 1, videos: [{ uid: "anchor", cover: "http://x/c.png", ...urls }] });
    expect((await sxb("getroomplayurl", { token: viewer, roomnum: String(roomnum) })).body).toEqual({ ...OK, data: { cover: "http://x/c.png", ...urls } });
  });

  test("a viewer joins (roomnum as a string), beats, asks for the mic, goes on (co-host) and off, leaves", async () => {
    expect((await sxb("reportmemid", { token: viewer, id: "fan", roomnum: String(roomnum), role: 0, operate: 0 })).body).toEqual(OK);
    expect((await sxb("heartbeat", { token: viewer, roomnum, role: 0, thumbup: 0 })).body).toEqual(OK);
    const members = () => sxb("roomidlist", { token: viewer, roomnum, index: 0, size: 40 }).then((a) => a.body.data);
    expect(await members()).toEqual({ total: 2, idlist: [{ id: "anchor", role: 1 }, { id: "fan", role: 0 }] });
    expect((await sxb("request", { token: viewer, roomnum })).body).toEqual(OK);
    expect((await sxb("reportstatus", { token: viewer, roomnum, status: "on" })).body).toEqual(OK);
    expect((await members()).idlist).toContainEqual({ id: "fan", role: 2 });
    expect((await sxb("reportstatus", { token: viewer, roomnum, status: "off" })).body).toEqual(OK);
    expect((await members()).idlist).toContainEqual({ id: "fan", role: 0 });
    // The apps' own way of going on mic: beats saying role 2 (the clients never call request/reportstatus).
    expect((await sxb("heartbeat", { token: viewer, roomnum, role: 2 })).body).toEqual(OK);
    expect((await members()).idlist).toContainEqual({ id: "fan", role: 2 });
    expect((await sxb("heartbeat", { token: viewer, roomnum, role: 0 })).body).toEqual(OK);
    expect((await members()).idlist).toContainEqual({ id: "fan", role: 0 });
    expect((await sxb("roomlist", { token: viewer, index: 0, size: 10 })).body.data.rooms[0].info.memsize).toBe(2);
    expect((await sxb("reportmemid", { token: viewer, id: "fan", roomnum, role: 0, operate: 1 })).body).toEqual(OK);
    expect(await members()).toEqual({ total: 1, idlist: [{ id: "anchor", role: 1 }] });
    const stays = await sql<{ leaveReason: string }>(`SELECT m."leaveReason" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE m.roomnum = $1 AND a.uid = 'fan'`, [roomnum]);
    expect(stays).toEqual([{ leaveReason: "left" }]);
  });

  test("the host closes the room: unlisted, everyone out, its play URLs gone (data: []); a repeat is success", async () => {
    expect((await sxb("exitroom", { token: viewer, roomnum, type: "live" })).body).toEqual({ errorCode: 10101, errorInfo: "only the host can close the room." });
    expect((await sxb("exitroom", { token: host, roomnum, type: "live" })).body).toEqual(OK);
    expect((await sxb("roomlist", { token: viewer, index: 0, size: 10 })).body.data).toEqual({ total: 0, rooms: [] });
    expect((await sxb("getroomplayurl", { token: viewer, roomnum })).text).toBe('{"errorCode":0,"errorInfo":"","data":[]}');
    expect((await sxb("roomidlist", { token: viewer, roomnum, index: 0, size: 10 })).body.data).toEqual({ total: 0, idlist: [] });
    expect((await sxb("exitroom", { token: host, roomnum, type: "live" })).body).toEqual(OK);
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]!.state).toBe(2);
  });

  test("Tencent's record notification (live.callback, event 100) stores the video; the record list shows it (playurl a list, createTime set)", async () => {
    const { t: expiry, sign } = liveCallbackSignature(TEST_CALLBACK_KEY);
    const event = {
      t: expiry,
      sign,
      event_type: 100,
      stream_id: `8888_${md5(`${roomnum}_anchor_main`)}`,
      channel_id: `8888_${md5(`${roomnum}_anchor_main`)}`,
      file_id: "9031868222958931072",
      video_id: "200025724_0f3c",
      video_url: "http://200025724.vod.myqcloud.com/200025724_0f3c.f0.mp4",
      start_time: 1500000000,
      end_time: 1500000600,
      media_start_time: 0,
      file_size: 12345678,
      duration: 600,
      stream_param: `txSecret=x&txTime=5A&from=interactive&sdkappid=${TEST_APP.sdkAppId}&sdkapptype=1&groupid=${roomnum}&ts=1&record=mp4`,
    };
    const answer = await sxb("callback", event);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { code: 0, errorCode: 0, errorInfo: "" } });
    expect((await sxb("callback", event)).body.code).toBe(0); // Tencent's retry: still one row
    expect(t.im.messages.filter((m) => m.groupId === String(roomnum))).toEqual([]); // no markers in live rooms
    expect((await sxb("reportrecord", { token: host, roomnum, uid: "anchor", name: "sxb_anchor_evening", type: 0, cover: "http://x/r.png" })).body).toEqual(OK);
    const list = await sxb("recordlist", { token: viewer, type: 0, index: 0, size: 10 });
    expect(list.body.data.total).toBe(1);
    expect(list.body.data.videos).toEqual([
      {
        uid: "anchor",
        cover: "http://x/r.png",
        name: "sxb_anchor_evening",
        videoId: "200025724_0f3c",
        playurl: ["http://200025724.vod.myqcloud.com/200025724_0f3c.f0.mp4"],
        createTime: expect.any(Number),
        fileSize: 12345678,
        duration: 600,
      },
    ]);
    expect(list.body.data.videos[0].createTime).toBeGreaterThan(1700000000);
    expect((await sxb("recordlist", { token: viewer, type: 0, index: 1, size: 10, s_uid: "someone" })).body.data).toEqual({ total: 0, videos: [] });
    const unsigned = await sxb("callback", { ...event, sign: "0".repeat(32) });
    expect({ status: unsigned.status, body: unsigned.body }).toEqual({ status: 401, body: { code: 10101, errorCode: 10101, errorInfo: "callback sign mismatch" } });
  });
});

describe("what else the dialect does", () => {
  let host: string;
  let other: string;
  beforeAll(async () => {
    host = await liveLogin("host2", { appid: TEST_APP.sdkAppId }); // iOS: appid as a number
    other = await liveLogin("viewer2");
  });

  test("a new room ends the host's earlier one (one live per host); a user is in one room at a time", async () => {
    const first = await liveRoom(host, "first");
    await sxb("reportmemid", { token: other, roomnum: first, role: 0, operate: 0 });
    const second = await liveRoom(host, "second");
    expect((await sql<{ state: number }>(`SELECT state FROM "Course" WHERE roomnum = $1`, [first]))[0]!.state).toBe(2);
    const third = await liveRoom(await liveLogin("host3"), "third");
    await sxb("reportmemid", { token: other, roomnum: second, role: 0, operate: 0 });
    await sxb("reportmemid", { token: other, roomnum: third, role: 0, operate: 0 });
    const open = await sql<{ roomnum: number }>(`SELECT m.roomnum FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE a.uid = 'viewer2' AND m."leftAt" IS NULL`);
    expect(open).toEqual([{ roomnum: third }]);
  });

  test("the heartbeat: an unknown token is 10005 (not 10009); a room that is not live does nothing; no SQL once warm", async () => {
    const roomnum = await liveRoom(host, "beats");
    expect((await sxb("heartbeat", { token: "no-such-token", roomnum, role: 0 })).body).toEqual({ errorCode: 10005, errorInfo: "User not exist" });
    expect((await sxb("heartbeat", { token: other, roomnum: 424242, role: 0 })).body).toEqual(OK);
    await sxb("heartbeat", { token: host, roomnum, role: 1 });
    const before = t.sqlStatements.count;
    for (let i = 0; i < 5; i++) expect((await sxb("heartbeat", { token: host, roomnum, role: 1, thumbup: i })).body).toEqual(OK);
    expect(t.sqlStatements.count).toBe(before);
    // A host's beat without a thumbs-up count resets it (the original's rule).
    await sxb("heartbeat", { token: host, roomnum, role: 1 });
    const room = (await sxb("roomlist", { token: other, index: 0, size: 50 })).body.data.rooms.find((r: { info: { roomnum: number } }) => r.info.roomnum === roomnum);
    expect(room.info.thumbup).toBe(0);
  });

  describe("a viewer's heartbeat names no room of its own (Android sends -1, or the room it last hosted): the caller is refreshed in the room it joined, with its role", () => {
    const uinOf = async (uid: string) => (await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = $1`, [uid]))[0]!.uin;
    const lastBeatOf = async (roomnum: number, uid: string) => Number(await t.server.redis.zscore(RedisKeys.coursePresence(roomnum), String(await uinOf(uid))));
    const roleOf = async (roomnum: number, uid: string) => Number(await t.server.redis.hget(RedisKeys.courseRoles(roomnum), String(await uinOf(uid))));

    test.each([
      ["-1 (Android's viewers)", () => -1],
      ['"-1", a string', () => "-1"],
      ["0", () => 0],
      ["a room that is not live", () => 424242],
    ])("roomnum %s", async (_what, roomnumSent) => {
      const roomnum = await liveRoom(host, "viewer beats");
      const viewerId = `android-viewer-${Math.random().toString(36).slice(2, 8)}`;
      const android = await liveLogin(viewerId);
      await sxb("reportmemid", { token: android, roomnum, role: 0, operate: 0, id: viewerId });
      await t.server.redis.zadd(RedisKeys.coursePresence(roomnum), 1, String(await uinOf(viewerId)));
      expect((await sxb("heartbeat", { token: android, roomnum: roomnumSent(), role: 2, thumbup: 0 })).body).toEqual(OK);
      expect(await lastBeatOf(roomnum, viewerId)).toBeGreaterThan(Date.now() - 60000);
      expect(await roleOf(roomnum, viewerId)).toBe(2);
    });

    test("the room it last hosted, now ended: the beat refreshes it where it joined since", async () => {
      const formerHost = await liveLogin("former-host");
      const hosted = await liveRoom(formerHost, "hosted once");
      expect((await sxb("exitroom", { token: formerHost, roomnum: hosted, type: "live" })).body).toEqual(OK);
      const watching = await liveRoom(host, "watched");
      await sxb("reportmemid", { token: formerHost, roomnum: watching, role: 0, operate: 0 });
      await t.server.redis.zadd(RedisKeys.coursePresence(watching), 1, String(await uinOf("former-host")));
      expect((await sxb("heartbeat", { token: formerHost, roomnum: hosted, role: 0 })).body).toEqual(OK);
      expect(await lastBeatOf(watching, "former-host")).toBeGreaterThan(Date.now() - 60000);
    });

    test("a viewer dropped for silence comes back by such a beat; one in no room is refreshed nowhere; no SQL once warm", async () => {
      const roomnum = await liveRoom(host, "dropped viewer");
      const viewerId = "dropped-android";
      const android = await liveLogin(viewerId);
      await sxb("reportmemid", { token: android, roomnum, role: 0, operate: 0 });
      const uin = await uinOf(viewerId);
      await t.server.redis.zrem(RedisKeys.coursePresence(roomnum), String(uin));
      await t.server.redis.sadd(RedisKeys.courseDropped(roomnum), String(uin));
      await sql(`UPDATE "ClassMember" SET "leftAt" = now(), "leaveReason" = 'timeout' WHERE roomnum = $1 AND uin = $2`, [roomnum, uin]);
      expect((await sxb("heartbeat", { token: android, roomnum: -1, role: 0 })).body).toEqual(OK);
      expect(await lastBeatOf(roomnum, viewerId)).toBeGreaterThan(Date.now() - 60000);
      const ids = (await sxb("roomidlist", { token: host, roomnum, index: 0, size: 10 })).body.data.idlist.map((m: { id: string }) => m.id);
      expect(ids).toContain(viewerId);
      const before = t.sqlStatements.count;
      for (let i = 0; i < 5; i++) expect((await sxb("heartbeat", { token: android, roomnum: -1, role: 0 })).body).toEqual(OK);
      expect(t.sqlStatements.count).toBe(before);
      // Never joined any room: nothing to refresh, still 0 (as the original).
      const loner = await liveLogin("never-joined");
      expect((await sxb("heartbeat", { token: loner, roomnum: -1, role: 0 })).body).toEqual(OK);
      expect(await t.server.redis.get(RedisKeys.liveRoomOf(await uinOf("never-joined")))).toBeNull();
    });

    test("after Redis lost its data, the rebuilt presence knows the room each viewer is in", async () => {
      const roomnum = await liveRoom(host, "rebuilt");
      const viewerId = "rebuilt-android";
      const android = await liveLogin(viewerId);
      await sxb("reportmemid", { token: android, roomnum, role: 0, operate: 0 });
      await t.server.redis.flushdb();
      expect((await t.server.reaper.sweep(Date.now())).rebuilt).toBe(true);
      expect(await t.server.redis.get(RedisKeys.liveRoomOf(await uinOf(viewerId)))).toBe(String(roomnum));
    });

    test("a viewer who moved to another room through another instance is refreshed where it is now", async () => {
      const second = await startServer(t.server.config, { log: createLogger("silent") });
      try {
        const first = await liveRoom(host, "first room");
        const other = await liveRoom(await liveLogin("host-b"), "second room");
        const viewerId = "mover";
        const mover = await liveLogin(viewerId);
        await sxb("reportmemid", { token: mover, roomnum: first, role: 0, operate: 0 });
        expect((await sxb("heartbeat", { token: mover, roomnum: -1, role: 0 })).body).toEqual(OK); // this instance now remembers `first`
        const joinOther = await fetch(`${second.url}/sxb_dev/index.php?svc=live&cmd=reportmemid`, { method: "POST", body: JSON.stringify({ token: mover, roomnum: other, role: 0, operate: 0 }) });
        expect(await joinOther.json()).toEqual(OK);
        await t.server.redis.zadd(RedisKeys.coursePresence(other), 1, String(await uinOf(viewerId)));
        expect((await sxb("heartbeat", { token: mover, roomnum: -1, role: 0 })).body).toEqual(OK);
        expect(await lastBeatOf(other, viewerId)).toBeGreaterThan(Date.now() - 60000);
      } finally {
        await second.close();
      }
    });
  });

  test("viewers beating every 10 s stay listed; silent ones leave after LIVE_MEMBER_TIMEOUT_S (30); a silent host ends the room after LIVE_HOST_TIMEOUT_S (90)", async () => {
    const roomnum = await liveRoom(host, "timeouts");
    const tenSecond = await liveLogin("every10s");
    const silent = await liveLogin("silent");
    for (const token of [tenSecond, silent]) await sxb("reportmemid", { token, roomnum, role: 0, operate: 0 });
    const sweep = (atMs: number) => t.server.reaper.sweep(atMs);
    await sweep(Date.now()); // a fresh Redis: the first sweep builds presence
    // Their last beats, as the reaper will see them: 10 s ago (a 10-second client), 31 s ago (gone silent).
    const base = Date.now();
    for (const [uid, ageS] of [["every10s", 10], ["silent", 31]] as const) {
      const { uin } = (await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = $1`, [uid]))[0]!;
      await t.server.redis.zadd(RedisKeys.coursePresence(roomnum), base - ageS * 1000, String(uin));
      await t.server.redis.zadd(RedisKeys.presentMembers("live"), base - ageS * 1000, memberRef(roomnum, uin));
    }
    await sweep(base);
    const ids = (await sxb("roomidlist", { token: host, roomnum, index: 0, size: 10 })).body.data.idlist.map((m: { id: string }) => m.id);
    expect(ids).toContain("every10s");
    expect(ids).toContain("host2");
    const dropped = await sql<{ leaveReason: string }>(`SELECT m."leaveReason" FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE m.roomnum = $1 AND a.uid = 'silent'`, [roomnum]);
    expect(dropped).toEqual([{ leaveReason: "timeout" }]);
    // The host too falls silent: 90 s later the room ends, with no IM marker.
    await sweep(Date.now() + 91000);
    expect((await sql<{ state: number; endReason: string }>(`SELECT state, "endReason" FROM "Course" WHERE roomnum = $1`, [roomnum]))[0]).toEqual({ state: 2, endReason: "timeout" });
    expect(t.im.messages.filter((m) => m.groupId === String(roomnum))).toEqual([]);
  });

  test("the two dialects share accounts and tokens but never each other's rooms", async () => {
    const roomnum = await liveRoom(host, "separate");
    // The classroom (at /index.php) sees no live room…
    const teacher = await signUp(t, "class-teacher", 1);
    expect((await t.call("live", "roomlist", { ...C, token: teacher, index: 0, size: 50 })).body.data.rooms.map((r: { roomnum: number }) => r.roomnum)).not.toContain(roomnum);
    expect((await t.call("live", "reportmemid", { ...C, token: teacher, roomnum, operate: 0 })).body).toEqual({ errorCode: 10100, errorInfo: "get room info failed" });
    // …nor records or relays one, even for its host (so a live room never has a relay to stop).
    for (const cmd of ["startrecord", "startpush"]) expect((await t.call("live", cmd, { ...C, token: host, roomnum })).body).toEqual({ errorCode: 10100, errorInfo: "get room info failed" });
    expect(await t.rest("POST", `/courses/${roomnum}/recording`, { token: host, body: {} })).toMatchObject({ status: 404, body: { errorCode: 10100 } });
    // …and the live dialect no class.
    const classroom = (await t.call("live", "create", { ...C, token: teacher, title: "a class" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: teacher, roomnum: classroom });
    expect((await sxb("reportmemid", { token: teacher, roomnum: classroom, role: 0, operate: 0 })).body).toEqual({ errorCode: 10010, errorInfo: "av room is not exist" });
    expect((await sxb("reportroom", { token: teacher, room: { roomnum: classroom, type: "live", groupid: "x", device: 0, videotype: 0, appid: TEST_APP.sdkAppId } })).body.errorCode).toBe(10010);
    // A classroom token works in the live dialect (one session per user).
    expect((await sxb("roomlist", { token: teacher, index: 0, size: 1 })).body.errorCode).toBe(0);
  });

  test("rooms stay within their app: another appid lists nothing", async () => {
    expect((await sxb("roomlist", { token: other, index: 0, size: 10, appid: 1400000002 })).body.data).toEqual({ total: 0, rooms: [] });
    expect((await sxb("roomlist", { token: other, index: 0, size: 10, appid: String(TEST_APP.sdkAppId) })).body.data.total).toBeGreaterThan(0);
  });

  test("the record list's channel mode (type ≠ 0) lists VOD's sxb_ files", async () => {
    t.tencent.vod.addMedia({ fileId: "5285890799999999999", name: "sxb_host2_channel", url: "http://vod.example/sxb.mp4", duration: 61.4 });
    t.tencent.vod.addMedia({ fileId: "5285890799999999998", name: "lesson.mp4" });
    const list = await sxb("recordlist", { token: other, type: 1, index: 1, size: 10 });
    expect(list.body.data).toEqual({
      total: 1,
      videos: [{ uid: "host2", cover: "", name: "sxb_host2_channel", videoId: "5285890799999999999", playurl: ["http://vod.example/sxb.mp4"], createTime: expect.any(Number), fileSize: 0, duration: 61 }],
    });
  });
});

describe("every command's error codes and texts", () => {
  let token: string;
  let roomnum: number;
  beforeAll(async () => {
    token = await liveLogin("errors");
    roomnum = await liveRoom(token, "errors");
  });
  const e = (errorCode: number, errorInfo: string) => ({ errorCode, errorInfo });

  test.each([
    ["account", "regist", {}, e(10003, "Lack of id")],
    ["account", "regist", { id: "0", pwd: "x" }, e(10003, "Lack of id")],
    ["account", "regist", { id: 5, pwd: "x" }, e(10003, "Invalid id")],
    ["account", "regist", { id: "x" }, e(10003, "Lack of pwd")],
    ["account", "regist", { id: "errors", pwd: "cGFzcw==" }, e(10004, "Register user id existed")],
    ["account", "login", { id: "nobody", pwd: "x" }, e(10005, "User not exist")],
    ["account", "login", { id: "errors", pwd: "wrong" }, e(10006, "User password error")],
    ["account", "logout", {}, e(10003, "Lack of token")],
    ["account", "logout", { token: "unknown" }, e(10008, "Repeat logout")],
    ["live", "create", {}, e(10003, "Lack of token")],
    ["live", "create", { token: [5] }, e(10003, " Invalid token")],
    ["live", "create", { token: "unknown" }, e(10009, "Token expired")],
  ])("%s.%s %j → %j", async (svc, cmd, body, expected) => {
    expect((await sxb(cmd, body, svc)).body).toEqual(expected);
  });

  test.each([
    ["create", {}, e(10003, "Lack of type")],
    ["create", { type: 5 }, e(10003, " Invalid type")],
    ["reportroom", {}, e(10003, "Lack of room.")],
    ["reportroom", { room: { title: "x".repeat(129) } }, e(10003, "Title length too long.")],
    ["reportroom", { room: { cover: "é".repeat(65) } }, e(10003, "Cover length too long.")],
    ["reportroom", { room: {} }, e(10003, "Lack of type.")],
    ["reportroom", { room: "x" }, e(10003, "Lack of type.")],
    ["reportroom", { room: { type: 5 } }, e(10003, "invalid type.")],
    ["reportroom", { room: { type: "live" } }, e(10003, "Lack of av room id.")],
    ["reportroom", { room: { type: "live", roomnum: "x" } }, e(10003, "AV room id should be integer or string.")],
    ["reportroom", { room: { type: "live", roomnum: 1 } }, e(10003, "Lack of chat room id.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: 1 } }, e(10003, "Chat room id should be string.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: "1" } }, e(10003, "Lack of device.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: "1", device: 3 } }, e(10003, "device should be 0-IOS 1-Android  2-PC.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: "1", device: 0 } }, e(10003, "Lack of videotype.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: "1", device: 0, videotype: 2 } }, e(10003, "videotype should be 0 or 1.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: "1", device: 0, videotype: 0 } }, e(10003, "Lack of appid.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: "1", device: 0, videotype: 0, appid: 1.5 } }, e(10003, "appid should be integer or string.")],
    ["reportroom", { room: { type: "live", roomnum: 1, groupid: "1", device: 0, videotype: 0, appid: 1 }, lbs: { address: "x".repeat(101) } }, e(10003, "Address length too long.")],
    ["reportroom", { room: { type: "live", roomnum: 424242, groupid: "1", device: 0, videotype: 0, appid: TEST_APP.sdkAppId } }, e(10010, "av room is not exist")],
    ["roomlist", {}, e(10003, "Lack of page index")],
    ["roomlist", { index: 0, size: 51 }, e(10003, "Page size should be a positive integer(not larger than 50)")],
    ["heartbeat", {}, e(10003, "Lack of roomnum")],
    ["heartbeat", { roomnum: "x" }, e(10003, "Invalid roomnum")],
    ["heartbeat", { roomnum: 1 }, e(10003, "Lack of role")],
    ["heartbeat", { roomnum: 1, role: "host" }, e(10003, "Invalid role")],
    ["reportmemid", {}, e(10003, "Lack of roomnum")],
    ["reportmemid", { roomnum: 1.5 }, e(10003, " Invalid roomnum")],
    ["reportmemid", { roomnum: 1 }, e(10003, "Lack of role")],
    ["reportmemid", { roomnum: 1, role: 3 }, e(10003, " Invalid role")],
    ["reportmemid", { roomnum: 1, role: 0 }, e(10003, "Lack of operate")],
    ["reportmemid", { roomnum: 1, role: 0, operate: 2 }, e(10003, " Invalid operate")],
    ["reportmemid", { roomnum: 424242, role: 0, operate: 0 }, e(10010, "av room is not exist")],
    ["roomidlist", { roomnum: "x", index: 0, size: 1 }, e(10003, " Invalid roomnum")],
    ["request", {}, e(10003, "Lack of roomnum")],
    ["request", { roomnum: 424242 }, e(10010, "av room is not exist")],
    ["reportstatus", { roomnum: 1 }, e(10003, "Lack of status")],
    ["reportstatus", { roomnum: 1, status: "maybe" }, e(10003, " Invalid status")],
    ["reportrecord", {}, e(10003, "lack of roomnum")],
    ["reportrecord", { roomnum: 1 }, e(10003, "lack of uid")],
    ["reportrecord", { roomnum: 1, uid: 5 }, e(10003, "invalid uid")],
    ["reportrecord", { roomnum: 1, uid: "u" }, e(10003, "lack of name")],
    ["reportrecord", { roomnum: 1, uid: "u", name: 5 }, e(10003, "invalid video name")],
    ["reportrecord", { roomnum: 1, uid: "u", name: "n" }, e(10003, "Lack of type")],
    ["reportrecord", { roomnum: 1, uid: "u", name: "n", type: "x" }, e(10003, "invalid of type")],
    ["reportrecord", { roomnum: 1, uid: "u", name: "n", type: 0, cover: 5 }, e(10003, "invalid cover")],
    ["recordlist", { index: 0, size: 101, type: 0 }, e(10003, "Page size should be a positive integer(not larger than 100)")],
    ["recordlist", { index: 0, size: 10 }, e(10003, "Lack of type")],
    ["recordlist", { index: 0, size: 10, type: "x" }, e(10003, "invalid of type")],
    ["exitroom", { roomnum: 0 }, e(10003, "Lack of roomnum")],
    ["exitroom", { roomnum: "x" }, e(10003, "Invalid roomnum")],
    ["exitroom", { roomnum: 1 }, e(10003, "Lack of type")],
    ["exitroom", { roomnum: 1, type: 5 }, e(10003, " Invalid type")],
    ["exitroom", { roomnum: 424242, type: "live" }, e(10010, "av room is not exist")],
    ["livestreamlist", { index: -1, size: 1 }, e(10003, "Page index should be a non-negative integer")],
    ["getroomplayurl", {}, e(10003, "Lack of roomnum")],
  ])("live.%s %j → %j", async (cmd, body, expected) => {
    expect((await sxb(cmd, { token, ...body })).body).toEqual(expected);
  });

  test("reportroom of another host's room → 10101; the errors room is untouched by all of the above", async () => {
    const other = await liveLogin("errors-other");
    expect((await sxb("reportroom", { token: other, room: { roomnum, type: "live", groupid: "g", device: 0, videotype: 0, appid: TEST_APP.sdkAppId } })).body).toEqual(
      e(10101, "only the host can report the room."),
    );
    expect((await sql<{ groupId: string }>(`SELECT "groupId" FROM "LiveRoom" WHERE roomnum = $1`, [roomnum]))[0]!.groupId).toBe(String(roomnum));
  });
});

describe("REST under /api/v1/live", () => {
  test("create, report, list, join, members, mic, the room with its URLs, leave, close", async () => {
    const host = await liveLogin("rest-host");
    const viewer = await liveLogin("rest-viewer");
    const created = await t.rest("POST", "/live/rooms", { token: host, body: { type: "live" } });
    expect(created.status).toBe(201);
    const { roomnum } = created.body as { roomnum: number };
    const report = { room: { title: "rest", roomnum, type: "live", groupid: String(roomnum), device: 2, videotype: 1, appid: "1400000001" } };
    expect((await t.rest("POST", "/live/room-reports", { token: host, body: report })).status).toBe(200);
    expect((await t.rest("GET", "/live/rooms?limit=5", { token: viewer })).body.rooms[0]).toMatchObject({ uid: "rest-host", info: { roomnum } });
    expect((await t.rest("POST", `/live/rooms/${roomnum}/members`, { token: viewer, body: { role: 0 } })).status).toBe(200);
    expect((await t.rest("POST", `/live/rooms/${roomnum}/heartbeat`, { token: viewer, body: { role: 0 } })).status).toBe(204);
    expect((await t.rest("POST", `/live/rooms/${roomnum}/mic-requests`, { token: viewer })).status).toBe(201);
    expect((await t.rest("POST", `/live/rooms/${roomnum}/mic`, { token: viewer, body: { status: "on" } })).status).toBe(200);
    expect((await t.rest("GET", `/live/rooms/${roomnum}/members`, { token: host })).body.idlist).toContainEqual({ id: "rest-viewer", role: 2 });
    // The screen share's stream is "aux".
    const room = await t.rest("GET", `/live/rooms/${roomnum}`, { token: viewer });
    expect(room.body.address).toBe(`rtmp://8888.liveplay.myqcloud.com/live/8888_${md5(`${roomnum}_rest-host_aux`)}`);
    expect((await t.rest("GET", "/live/streams", { token: viewer })).body.videos[0].address).toBe(room.body.address);
    expect((await t.rest("DELETE", `/live/rooms/${roomnum}/members`, { token: viewer })).status).toBe(204);
    expect((await t.rest("DELETE", `/live/rooms/${roomnum}`, { token: viewer })).status).toBe(403);
    expect((await t.rest("DELETE", `/live/rooms/${roomnum}`, { token: host })).status).toBe(204);
    expect((await t.rest("GET", `/live/rooms/${roomnum}`, { token: viewer })).status).toBe(404);
    expect((await t.rest("GET", "/live/records?type=0", { token: viewer })).status).toBe(200);
  });
});

test("play URLs: Tencent's documented example md5(293710_14y2l2c_main), BIZID 8888", () => {
  expect(md5("293710_14y2l2c_main")).toBe("81265058829fd2e50c8ec2ac78d55127");
  expect(livePlayUrls(8888, "8888.liveplay.myqcloud.com", 293710, "14y2l2c", false)).toEqual({
    streamId: "8888_81265058829fd2e50c8ec2ac78d55127",
    rtmp: "rtmp://8888.liveplay.myqcloud.com/live/8888_81265058829fd2e50c8ec2ac78d55127",
    flv: "http://8888.liveplay.myqcloud.com/live/8888_81265058829fd2e50c8ec2ac78d55127.flv",
    hls: "http://8888.liveplay.myqcloud.com/live/8888_81265058829fd2e50c8ec2ac78d55127.m3u8",
  });
});
