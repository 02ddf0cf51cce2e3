import { C, signUp, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { OTHER_APP, TEST_APP } from "./support/env";
import { type OpenApiCheck, openApiCheckOf } from "./support/openapi-check";
import { capturingLogger } from "./support/logs";
import fc from "fast-check";
import { minutesOf } from "../src/services/attendance";
import { COMMANDS } from "../src/commands/registry";
import { restRoutesOf } from "../src/commands/command";

/**
 * The operator console's API (/api/v1/console/…): operator accounts apart from the apps',
 * a session cookie (HttpOnly, SameSite=Strict, Secure behind TLS) with a CSRF token on every
 * change, each operator seeing only their apps; "Live now", a course's page, and ending a
 * class as its teacher would (reason "operator", logged with the operator's id). App tokens
 * never open these routes, and a console session never opens the app's.
 */

let t: TestServer;
let openApi: OpenApiCheck;
const captured = capturingLogger("info");
const PASSWORD = "correct horse battery";

interface ConsoleAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  headers: Headers;
}

/** A console request with a cookie jar of one cookie; every answer checked against the OpenAPI document. */
async function consoleCall(method: string, path: string, options: { cookie?: string; csrf?: string; body?: unknown; bearer?: string; forwardedProto?: string } = {}): Promise<ConsoleAnswer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers["x-csrf-token"] = options.csrf;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.forwardedProto) headers["x-forwarded-proto"] = options.forwardedProto;
  const response = await fetch(`${t.url}/api/v1/console${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  openApi.check(method, `/api/v1/console${path}`, response.status, body);
  return { status: response.status, body, headers: response.headers };
}

/** Signs an operator in: the cookie to send back and the CSRF token. */
async function signIn(id: string): Promise<{ cookie: string; csrf: string; setCookie: string }> {
  const answer = await consoleCall("POST", "/sessions", { body: { id, pwd: PASSWORD } });
  expect(answer.status).toBe(201);
  const setCookie = answer.headers.get("set-cookie")!;
  return { cookie: setCookie.split(";")[0]!, csrf: answer.body.csrf as string, setCookie };
}

beforeAll(async () => {
  t = await startTestServer({}, { log: captured.log });
  openApi = await openApiCheckOf(t.url);
  await t.server.services.operators.add("desk", PASSWORD, [TEST_APP.sdkAppId]);
  await t.server.services.operators.add("other-desk", PASSWORD, [OTHER_APP.sdkAppId]);
});
afterAll(() => t.close());

describe("operators' sessions", () => {
  test("sign in: a session cookie, HttpOnly, SameSite=Strict, only for the console's routes, and the CSRF token; the session says who", async () => {
    const { cookie, csrf, setCookie } = await signIn("desk");
    expect(setCookie).toMatch(/^sxb_console=[\w-]{43}; path=\/api\/v1\/console; samesite=strict; httponly$/);
    expect(csrf).toMatch(/^[\w-]{43}$/);
    const session = await consoleCall("GET", "/session", { cookie });
    expect(session).toMatchObject({ status: 200, body: { id: "desk", apps: [TEST_APP.sdkAppId], csrf } });
    // Redis holds its hash only, with an idle expiry.
    const keys = await t.server.redis.keys("console:session:*");
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(cookie.split("=")[1]);
    expect(await t.server.redis.ttl(keys[0]!)).toBeGreaterThan(28000);
    await t.server.redis.del(keys[0]!);
  });

  test("behind TLS (a trusted proxy saying https) the cookie is Secure", async () => {
    const proxied = await startTestServer({ TRUST_PROXY: "true" }, { keepStores: true });
    try {
      const response = await fetch(`${proxied.url}/api/v1/console/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
        body: JSON.stringify({ id: "desk", pwd: PASSWORD }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get("set-cookie")).toMatch(/; secure; httponly$/);
    } finally {
      await proxied.close();
    }
  });

  test("sign-ins are limited like the apps' logins (per id here; per address too): 429 with Retry-After", async () => {
    const limited = await startTestServer({ LOGIN_PER_ACCOUNT_PER_MINUTE: "2", LOGIN_PER_ADDRESS_PER_MINUTE: "0" }, { keepStores: true });
    try {
      const attempt = async (id: string) => {
        const response = await fetch(`${limited.url}/api/v1/console/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id, pwd: "guess-guess-guess" }) });
        return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as { errorCode: number } };
      };
      expect((await attempt("desk")).status).toBe(401);
      expect((await attempt("desk")).status).toBe(401);
      const refused = await attempt("desk");
      expect(refused).toMatchObject({ status: 429, body: { errorCode: 10429 } });
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      // Another id is counted apart.
      expect((await attempt("other-desk")).status).toBe(401);
    } finally {
      await limited.close();
    }
  });

  test("a wrong password and an unknown id answer alike (10006), and nothing is stored", async () => {
    const sessionsBefore = await t.server.redis.keys("console:session:*");
    const wrong = await consoleCall("POST", "/sessions", { body: { id: "desk", pwd: "nope-nope-nope" } });
    const unknown = await consoleCall("POST", "/sessions", { body: { id: "nobody", pwd: PASSWORD } });
    expect(wrong).toMatchObject({ status: 401, body: { errorCode: 10006, errorInfo: "User password error" } });
    expect(unknown).toMatchObject({ status: 401, body: { errorCode: 10006, errorInfo: "User password error" } });
    expect(wrong.headers.get("set-cookie")).toBeNull();
    expect(await t.server.redis.keys("console:session:*")).toEqual(sessionsBefore);
  });

  test("no cookie, a made-up one, or an app's bearer token: 401; signing out ends the session and clears the cookie", async () => {
    const { T } = await signUpClassroom(t);
    expect(await consoleCall("GET", "/session")).toMatchObject({ status: 401, body: { errorCode: 10009, errorInfo: "Console session required" } });
    expect(await consoleCall("GET", "/session", { cookie: "sxb_console=made-up" })).toMatchObject({ status: 401, body: { errorCode: 10009, errorInfo: "Console session expired" } });
    expect(await consoleCall("GET", `/live?appid=${C.appid}`, { bearer: T })).toMatchObject({ status: 401, body: { errorCode: 10009 } });
    const { cookie, csrf } = await signIn("desk");
    expect(await consoleCall("DELETE", "/sessions/current", { cookie })).toMatchObject({ status: 403, body: { errorCode: 10101, errorInfo: "CSRF token missing or wrong" } });
    const out = await consoleCall("DELETE", "/sessions/current", { cookie, csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^sxb_console=; path=\/api\/v1\/console; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=strict; httponly$/);
    expect(await consoleCall("GET", "/session", { cookie })).toMatchObject({ status: 401, body: { errorCode: 10009 } });
  });

  test("a console session opens no app route: the app protocol and REST want an app token", async () => {
    const { cookie } = await signIn("desk");
    const rest = await fetch(`${t.url}/api/v1/courses?appid=${C.appid}`, { headers: { cookie } });
    expect(rest.status).toBe(401);
    const protocol = await fetch(`${t.url}/index.php?svc=live&cmd=roomlist`, { method: "POST", headers: { cookie }, body: JSON.stringify({ ...C, index: 0, size: 10 }) });
    expect(((await protocol.json()) as { errorCode: number }).errorCode).toBe(10003);
  });
});

describe("Live now, a course, ending a class", () => {
  test("Live now lists the app's living classes with members present, the teacher's last beat and the reaper's deadline; another app's operator is refused", async () => {
    const [T, S] = [await signUp(t, "teacher-a", 1), await signUp(t, "student-a", 0)];
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "algebra" })).body.data.roomnum as number;
    expect((await t.call("live", "startcourse", { ...C, token: T, roomnum })).body.errorCode).toBe(0);
    expect((await t.call("live", "reportmemid", { ...C, token: S, roomnum, operate: 0 })).body.errorCode).toBe(0);
    const before = Date.now();
    expect((await t.call("live", "heartbeat", { ...C, token: T, roomnum })).body.errorCode).toBe(0);

    const desk = await signIn("desk");
    const live = await consoleCall("GET", `/live?appid=${TEST_APP.sdkAppId}`, { cookie: desk.cookie });
    expect(live.status).toBe(200);
    const room = (live.body.rooms as Array<Record<string, unknown>>).find((r) => r.roomnum === roomnum)!;
    expect(room).toMatchObject({ mode: "class", title: "algebra", host_uid: "teacher-a", present: 2, recording: 0, live_urls: [] });
    expect(room.host_last_beat).toBeGreaterThanOrEqual(before - 1000);
    expect(room.reaper_ends_at).toBe((room.host_last_beat as number) + t.server.config.roomTimeouts.class.hostS * 1000);

    const other = await signIn("other-desk");
    expect(await consoleCall("GET", `/live?appid=${TEST_APP.sdkAppId}`, { cookie: other.cookie })).toMatchObject({ status: 403, body: { errorCode: 10101, errorInfo: "this operator may not see that app" } });
    expect((await consoleCall("GET", `/live?appid=${OTHER_APP.sdkAppId}`, { cookie: other.cookie })).body.rooms).toEqual([]);
    expect(await consoleCall("GET", `/courses/${roomnum}?appid=${OTHER_APP.sdkAppId}`, { cookie: other.cookie })).toMatchObject({ status: 404, body: { errorCode: 10100 } });
    expect(await consoleCall("GET", "/live", { cookie: desk.cookie })).toMatchObject({ status: 400, body: { errorCode: 10003 } });
  });

  test("a course's page, then an operator ends the class: as exitroom (end marker, stays closed), reason operator, logged with the operator's id; another app's operator and a missing CSRF token change nothing", async () => {
    const [T, S] = [await signUp(t, "teacher-g", 1), await signUp(t, "student-g", 0)];
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "geometry" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: T, roomnum });
    await t.call("live", "reportmemid", { ...C, token: S, roomnum, operate: 0 });
    const desk = await signIn("desk");
    const page = await consoleCall("GET", `/courses/${roomnum}?appid=${TEST_APP.sdkAppId}`, { cookie: desk.cookie });
    expect(page.body).toMatchObject({ roomnum, title: "geometry", host_uid: "teacher-g", state: 1, end_reason: "", present: ["teacher-g", "student-g"] });
    expect(page.body.stays).toEqual([
      expect.objectContaining({ uid: "teacher-g", role: 1, leave_time: 0 }),
      expect.objectContaining({ uid: "student-g", role: 0, leave_time: 0 }),
    ]);

    const other = await signIn("other-desk");
    const refused = [
      await consoleCall("POST", `/courses/${roomnum}/end`, { cookie: desk.cookie, body: { appid: TEST_APP.sdkAppId } }),
      await consoleCall("POST", `/courses/${roomnum}/end`, { cookie: desk.cookie, csrf: other.csrf, body: { appid: TEST_APP.sdkAppId } }),
      await consoleCall("POST", `/courses/${roomnum}/end`, { cookie: other.cookie, csrf: other.csrf, body: { appid: TEST_APP.sdkAppId } }),
    ];
    expect(refused.map((r) => [r.status, r.body.errorInfo])).toEqual([
      [403, "CSRF token missing or wrong"],
      [403, "CSRF token missing or wrong"],
      [403, "this operator may not see that app"],
    ]);
    expect((await t.server.db.course.findUniqueOrThrow({ where: { roomnum } })).state).toBe(1);

    const markersBefore = t.im.messages.length;
    const ended = await consoleCall("POST", `/courses/${roomnum}/end`, { cookie: desk.cookie, csrf: desk.csrf, body: { appid: TEST_APP.sdkAppId } });
    expect(ended).toMatchObject({ status: 200, body: {} });
    const row = await t.server.db.course.findUniqueOrThrow({ where: { roomnum } });
    expect(row).toMatchObject({ state: 2, endReason: "operator", replayIndexStatus: "waiting" });
    expect(t.im.messages.slice(markersBefore)).toEqual([expect.objectContaining({ groupId: String(roomnum), data: expect.objectContaining({ type: 1002, value: { uid: "teacher-g" } }) })]);
    // Whose action it was: the service's line and the request's access line both name the operator.
    expect(captured.lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ msg: "class ended by an operator", operator: "desk", roomnum }),
      expect.objectContaining({ msg: "request", command: "console.end", operator: "desk", status: 200 }),
    ]));
    expect(await t.server.db.classMember.count({ where: { roomnum, leftAt: null } })).toBe(0);
    expect(await t.server.redis.exists(`{course:${roomnum}}:presence`)).toBe(0);
    const after = await consoleCall("GET", `/courses/${roomnum}?appid=${TEST_APP.sdkAppId}`, { cookie: desk.cookie });
    expect(after.body).toMatchObject({ state: 2, end_reason: "operator", present: [], replay_idx_status: "waiting" });
    expect(after.body.stays.every((s: { leave_reason: string }) => s.leave_reason === "class_ended")).toBe(true);
    // Ending it again is the protocol's "not living" (10102).
    expect(await consoleCall("POST", `/courses/${roomnum}/end`, { cookie: desk.cookie, csrf: desk.csrf, body: { appid: TEST_APP.sdkAppId } })).toMatchObject({ status: 409, body: { errorCode: 10102 } });
    // The teacher's app still works: its own exitroom now answers as for an ended class.
    expect((await t.call("live", "exitroom", { ...C, token: T, roomnum })).body.errorCode).toBe(10102);
  });
});

describe("a course's story, attendance, replays, chat, health", () => {
  const appid = TEST_APP.sdkAppId;

  test("minutesOf merges overlapping stays: the same as counting each covered second (property, against an independent count)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3600 }), fc.integer({ min: 0, max: 1800 })), { maxLength: 8 }), (stays) => {
        const intervals = stays.map(([join, length]) => [join * 1000, (join + length) * 1000] as const);
        const covered = new Set<number>();
        for (const [join, leave] of intervals) for (let s = join / 1000; s < leave / 1000; s++) covered.add(s);
        expect(minutesOf(intervals)).toBe(Math.round(covered.size / 6) / 10);
      }),
      { numRuns: 300 },
    );
  });

  test("a class's attendance: stays merged when a student rejoins, first join, last leave; as CSV, formulas defused; a member's classes", async () => {
    const [T, S1, S2] = [await signUp(t, "teacher-h", 1), await signUp(t, "student-h1", 0), await signUp(t, "=cmd|student", 0)];
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "history, \"modern\"" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: T, roomnum });
    for (const token of [S1, S2]) await t.call("live", "reportmemid", { ...C, token, roomnum, operate: 0 });
    await t.call("live", "reportmemid", { ...C, token: S1, roomnum, operate: 1 });
    await t.call("live", "reportmemid", { ...C, token: S1, roomnum, operate: 0 });
    expect((await t.call("live", "exitroom", { ...C, token: T, roomnum })).body.errorCode).toBe(0);
    // The stays, moved to known times: student-h1 10:00–10:20 then 10:15–10:40 (overlapping: 40 min), the other 10:05–10:50 (45).
    const at = (hhmm: string) => new Date(`2026-11-02T${hhmm}:00.000Z`);
    const stays = await t.server.db.classMember.findMany({ where: { roomnum }, orderBy: { id: "asc" }, include: { account: true } });
    const times: Record<string, Array<[string, string]>> = { "teacher-h": [["09:58", "10:50"]], "student-h1": [["10:00", "10:20"], ["10:15", "10:40"]], "=cmd|student": [["10:05", "10:50"]] };
    const seen = new Map<string, number>();
    for (const stay of stays) {
      const n = seen.get(stay.account.uid) ?? 0;
      seen.set(stay.account.uid, n + 1);
      const [join, leave] = times[stay.account.uid]![n]!;
      await t.server.db.classMember.update({ where: { id: stay.id }, data: { joinedAt: at(join), leftAt: at(leave) } });
    }
    const desk = await signIn("desk");
    const attendance = await consoleCall("GET", `/courses/${roomnum}/attendance?appid=${appid}`, { cookie: desk.cookie });
    const unix = (hhmm: string) => at(hhmm).getTime() / 1000;
    expect(attendance.body).toEqual({
      roomnum,
      members: [
        { uid: "teacher-h", role: 1, minutes: 52, first_join: unix("09:58"), last_leave: unix("10:50"), stays: 1 },
        { uid: "student-h1", role: 0, minutes: 40, first_join: unix("10:00"), last_leave: unix("10:40"), stays: 2 },
        { uid: "=cmd|student", role: 0, minutes: 45, first_join: unix("10:05"), last_leave: unix("10:50"), stays: 1 },
      ],
    });
    const csv = await fetch(`${t.url}/api/v1/console/courses/${roomnum}/attendance.csv?appid=${appid}`, { headers: { cookie: desk.cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="attendance.csv"');
    expect(await csv.text()).toBe(
      [
        "uid,role,minutes,first_join,last_leave,stays",
        `teacher-h,1,52,${unix("09:58")},${unix("10:50")},1`,
        `student-h1,0,40,${unix("10:00")},${unix("10:40")},2`,
        `'=cmd|student,0,45,${unix("10:05")},${unix("10:50")},1`,
        "",
      ].join("\r\n"),
    );
    const member = await consoleCall("GET", `/members/student-h1/attendance?appid=${appid}`, { cookie: desk.cookie });
    expect(member.body).toEqual({ uid: "student-h1", courses: [{ roomnum, title: 'history, "modern"', minutes: 40, first_join: unix("10:00"), last_leave: unix("10:40") }] });
    const memberCsv = await (await fetch(`${t.url}/api/v1/console/members/student-h1/attendance.csv?appid=${appid}`, { headers: { cookie: desk.cookie } })).text();
    expect(memberCsv.split("\r\n")[1]).toBe(`${roomnum},"history, ""modern""",40,${unix("10:00")},${unix("10:40")}`);
    expect(await consoleCall("GET", `/members/nobody/attendance?appid=${appid}`, { cookie: desk.cookie })).toMatchObject({ status: 404, body: { errorCode: 10005 } });
    // Another app's operator sees neither.
    const other = await signIn("other-desk");
    expect((await consoleCall("GET", `/courses/${roomnum}/attendance?appid=${appid}`, { cookie: other.cookie })).status).toBe(403);
    expect((await fetch(`${t.url}/api/v1/console/courses/${roomnum}/attendance.csv?appid=${OTHER_APP.sdkAppId}`, { headers: { cookie: other.cookie } })).status).toBe(404);
  });

  test("a course's timeline, the replay index asked again by an operator (once due), replays filtered, the chat from IM", async () => {
    const T = await signUp(t, "teacher-r", 1);
    const S = await signUp(t, "student-r", 0);
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "replayed" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: T, roomnum });
    await t.call("live", "reportmemid", { ...C, token: S, roomnum, operate: 0 });
    t.tencent.im.chat(appid, String(roomnum), "student-r", "hello <teacher>");
    t.tencent.im.chat(appid, String(roomnum), "teacher-r", "hello");
    await t.call("live", "exitroom", { ...C, token: T, roomnum });
    t.tencent.im.chat(appid, String(roomnum), "student-r", "after the end");
    const desk = await signIn("desk");

    const chat = await consoleCall("GET", `/courses/${roomnum}/chat?appid=${appid}`, { cookie: desk.cookie });
    const lines = (chat.body.messages as Array<{ kind: string; from: string; text: string; seq: number }>).map((m) => (m.kind === "text" ? `${m.from}: ${m.text}` : `marker ${(JSON.parse(m.text) as { type: number }).type}`));
    expect(lines).toEqual(["marker 1001", "marker 1003", "student-r: hello <teacher>", "teacher-r: hello", "marker 1002"]);

    // Asked before it is due: the protocol's refusal; once due, the operator's ask builds it (the server builds the index itself here).
    const ask = () => consoleCall("POST", `/courses/${roomnum}/replay-index`, { cookie: desk.cookie, csrf: desk.csrf, body: { appid } });
    expect(await ask()).toMatchObject({ status: 409, body: { errorCode: 10102 } });
    await t.server.db.course.update({ where: { roomnum }, data: { replayIndexDueAt: new Date(Date.now() - 1000) } });
    expect(await ask()).toMatchObject({ status: 200 });
    const row = await t.server.db.course.findUniqueOrThrow({ where: { roomnum } });
    expect(row).toMatchObject({ state: 3, replayIndexStatus: "built" });
    const page = await consoleCall("GET", `/courses/${roomnum}?appid=${appid}`, { cookie: desk.cookie });
    expect((page.body.timeline as Array<{ event: string }>).map((e) => e.event)).toEqual(["created", "started", "ended", "replay_index_asked", "replay_index_built"]);
    expect(captured.lines).toEqual(expect.arrayContaining([expect.objectContaining({ msg: "replay index asked by an operator", operator: "desk", roomnum })]));

    const replayable = await consoleCall("GET", `/replays?appid=${appid}&state=3&host_uid=teacher-r`, { cookie: desk.cookie });
    expect(replayable.body).toMatchObject({ total: 1, rooms: [{ roomnum, state: 3, replay_idx_status: "built" }] });
    expect((await consoleCall("GET", `/replays?appid=${appid}&state=2&host_uid=teacher-r`, { cookie: desk.cookie })).body).toEqual({ total: 0, rooms: [] });
    const all = await consoleCall("GET", `/replays?appid=${appid}`, { cookie: desk.cookie });
    expect((all.body.rooms as Array<{ state: number }>).every((r) => r.state === 2 || r.state === 3)).toBe(true);
    expect(await consoleCall("GET", `/replays?appid=${appid}&state=1`, { cookie: desk.cookie })).toMatchObject({ status: 400, body: { errorCode: 10003 } });
  });

  test("an operator stops a class's server-side recording; health says PostgreSQL and Redis answer, with this instance's counts", async () => {
    const T = await signUp(t, "teacher-s", 1);
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "recorded" })).body.data.roomnum as number;
    await t.call("live", "startcourse", { ...C, token: T, roomnum });
    expect((await t.call("live", "startrecord", { ...C, token: T, roomnum })).body.errorCode).toBe(0);
    const desk = await signIn("desk");
    expect((await consoleCall("GET", `/courses/${roomnum}?appid=${appid}`, { cookie: desk.cookie })).body.recording).toBe(1);
    expect(await consoleCall("POST", `/courses/${roomnum}/recording/stop`, { cookie: desk.cookie, csrf: desk.csrf, body: { appid } })).toMatchObject({ status: 200 });
    expect((await consoleCall("GET", `/courses/${roomnum}?appid=${appid}`, { cookie: desk.cookie })).body.recording).toBe(0);
    expect(await t.server.db.recording.count({ where: { roomnum, stoppedAt: null } })).toBe(0);

    const health = await consoleCall("GET", "/health", { cookie: desk.cookie });
    expect(health.body).toMatchObject({ postgres: { ok: true, error: "" }, redis: { ok: true, error: "" }, metrics: { enabled: true } });
    expect(health.body.metrics.requests).toEqual(expect.arrayContaining([expect.objectContaining({ dialect: "classroom", command: "live.startrecord", code: 0 })]));
    expect(health.body.metrics.tencent_calls).toEqual(expect.arrayContaining([expect.objectContaining({ service: "videorelay", outcome: "ok" })]));
  });
});

describe("every console route, derived from the registry", () => {
  const consoleRoutes = COMMANDS.filter((c) => c.auth === "console").flatMap((command) => restRoutesOf(command).map((route) => ({ command, route })));
  /** A path with its parameters filled (a course of the app, an account of it). */
  const pathOf = (path: string, roomnum: number) => path.replace(":roomnum", String(roomnum)).replace(":uid", "teacher-x").replace(/^\/console/, "");

  test("an app's token (teacher or student) opens none; an operator of another app is refused each of the app's", async () => {
    const T = await signUp(t, "teacher-x", 1);
    const S = await signUp(t, "student-x", 0);
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "x" })).body.data.roomnum as number;
    const other = await signIn("other-desk");
    expect(consoleRoutes.length).toBeGreaterThanOrEqual(15);
    for (const { command, route } of consoleRoutes.filter((r) => r.route.consoleSession !== "open")) {
      const method = route.method.toUpperCase();
      const path = pathOf(route.path, roomnum);
      const query = route.method === "get" ? `${path.includes("?") ? "&" : "?"}appid=${TEST_APP.sdkAppId}` : "";
      const body = route.method === "get" ? undefined : { appid: TEST_APP.sdkAppId };
      for (const bearer of [T, S]) {
        const answer = route.csv ? await fetch(`${t.url}/api/v1/console${path}${query}`, { headers: { authorization: `Bearer ${bearer}` } }) : undefined;
        const status = answer?.status ?? (await consoleCall(method, `${path}${query}`, { bearer, body })).status;
        expect({ route: `${method} ${route.path}`, status }).toEqual({ route: `${method} ${route.path}`, status: 401 });
      }
      if (command.access.who !== "operator of the app") continue;
      const refused = route.csv
        ? await fetch(`${t.url}/api/v1/console${path}${query}`, { headers: { cookie: other.cookie } })
        : await consoleCall(method, `${path}${query}`, { cookie: other.cookie, csrf: other.csrf, body });
      expect({ route: `${method} ${route.path}`, status: refused.status }).toEqual({ route: `${method} ${route.path}`, status: 403 });
    }
  });

  test("Live now lists live rooms (the 随心播 dialect) beside classes", async () => {
    const host = await signUp(t, "live-host", 1);
    const created = await t.call("live", "create", { token: host, type: "live" }, { path: "/sxb/index.php" });
    expect(created.body.errorCode).toBe(0);
    const desk = await signIn("desk");
    const live = await consoleCall("GET", `/live?appid=${TEST_APP.sdkAppId}`, { cookie: desk.cookie });
    expect(live.body.rooms).toEqual(expect.arrayContaining([expect.objectContaining({ roomnum: created.body.data.roomnum, mode: "live", host_uid: "live-host", present: 1 })]));
  });
});
