import { Client } from "pg";
import type { z } from "zod";
import type { RoomLoad } from "../src/commands/access";
import { type AnyCommand, restRoutesOf } from "../src/commands/command";
import { stateSnapshot } from "./support/state-snapshot";
import { fieldNames } from "../src/commands/fields";
import { COMMANDS } from "../src/commands/registry";
import { inputOf, type InputSource, type RestMapping } from "../src/commands/rest-mapping";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { OTHER_APP, TEST_APP, testDatabaseUrl } from "./support/env";

/**
 * Apps apart, generated from the registry: every command whose access policy loads a
 * room by number (a course or a live room: `access.loads`) is tried, on each door it is
 * reachable on (its dialect's protocol path and each of its REST routes), by a user of
 * OTHER_APP (a teacher with the same uid as the rooms' host) on TEST_APP's rooms in
 * each state. Another app's room must be answered exactly as a number no room has (so
 * nothing tells that it exists), with the policy's declared code (10100 a course, 10010
 * a live room; "absent" commands answer as the original did for an unknown room), and
 * nothing may change: every table, every Redis key, IM. A command added later with a
 * room policy is covered without touching this file; one that takes a roomnum without
 * declaring a room policy fails the guard below.
 */

let t: TestServer;
let db: Client;
const PWD = "cGFzc3dvcmQ=";
/** The rooms' host in TEST_APP, and the intruder's uid in OTHER_APP. */
const HOST_UID = "teacher1";
/** A room number no room has. */
const NO_ROOM = 2_000_000_000;

type Kind = RoomLoad<unknown>["kind"];
/** TEST_APP's rooms of each kind, in each state the commands act on (filled in beforeAll). */
const targets: Record<Kind, Array<{ state: string; roomnum: number }>> = { course: [], liveRoom: [] };
const STATES: Record<Kind, readonly string[]> = { course: ["created", "living", "ended"], liveRoom: ["living", "ended"] };

const sxb = (cmd: string, body: Record<string, unknown>) => t.call("live", cmd, body, { path: "/sxb/index.php" });

async function classroom(cmd: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer = await t.call("live", cmd, { ...C, ...body });
  if (answer.body.errorCode !== 0) throw new Error(`setup live.${cmd}: ${answer.text}`);
  return answer.body.data as Record<string, unknown>;
}

async function liveShow(host: string, viewer: string, end: boolean): Promise<number> {
  const roomnum = (await sxb("create", { token: host, type: "live" })).body.data.roomnum as number;
  const room = { title: "show", roomnum, type: "live", groupid: String(roomnum), cover: "c", appid: TEST_APP.sdkAppId, device: 0, videotype: 0 };
  const steps: Array<[string, Record<string, unknown>]> = [
    ["reportroom", { token: host, room }],
    ["reportmemid", { token: viewer, roomnum, role: 0, operate: 0 }],
  ];
  if (end) steps.push(["exitroom", { token: host, roomnum, type: "live" }]);
  for (const [cmd, body] of steps) {
    const answer = await sxb(cmd, body);
    if (answer.body.errorCode !== 0) throw new Error(`setup live.${cmd}: ${answer.text}`);
  }
  return roomnum;
}

beforeAll(async () => {
  t = await startTestServer();
  db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  const host = await signUp(t, HOST_UID, 1);
  const student = await signUp(t, "student1", 0);
  await signUp(t, HOST_UID, 1, OTHER_APP);
  const create = async () => (await classroom("create", { token: host, title: "class" })).roomnum as number;
  const [created, living, ended] = [await create(), await create(), await create()];
  for (const roomnum of [living, ended]) {
    await classroom("startcourse", { token: host, roomnum });
    await classroom("reportmemid", { token: student, roomnum, operate: 0 });
    await classroom("reportbind", { token: host, roomnum, operate: 0, bind_file: { type: 0, file_name: "f.ppt", url: "http://x/f.ppt" } });
  }
  await classroom("exitroom", { token: host, roomnum: ended });
  targets.course.push({ state: "created", roomnum: created }, { state: "living", roomnum: living }, { state: "ended", roomnum: ended });
  // The same host's live shows (one living at a time: a new one ends the earlier).
  const endedShow = await liveShow(host, student, true);
  const livingShow = await liveShow(host, student, false);
  targets.liveRoom.push({ state: "living", roomnum: livingShow }, { state: "ended", roomnum: endedShow });
});
afterAll(async () => {
  await db.end();
  await t.close();
});

/** A fresh session of the intruder (a token used for a minute would slide its expiry during a case, which is a change). */
async function intruderToken(): Promise<string> {
  const login = await t.call("account", "login", { appid: OTHER_APP.sdkAppId, timeStamp: 1, id: HOST_UID, pwd: PWD });
  if (login.body.errorCode !== 0) throw new Error(`login: ${login.text}`);
  return login.body.data.token as string;
}

/** Everything a refused request must leave as it was: every row of every table, every Redis key, IM's messages. */
async function snapshot(): Promise<string> {
  return `${await stateSnapshot(db, t.server.redis)}#im:${t.im.messages.length}`;
}

/** Plausible values of each field, tried in order until the command's schema accepts the input (a new field needs one here). */
function plausibleValues(roomnum: number): Record<string, readonly unknown[]> {
  return {
    roomnum: [roomnum],
    operate: [0],
    role: [0],
    status: ["on"],
    index: [0],
    size: [10],
    type: ["live", 0],
    thumbup: [1],
    title: ["t"],
    cover: ["http://x/c.png"],
    uid: [HOST_UID],
    name: ["sxb_teacher1_show"],
    url: ["http://x/f.ppt"],
    bind_file: [{ type: 0, file_name: "f.ppt", url: "http://x/f.ppt" }],
    room: [{ title: "t", roomnum, type: "live", groupid: String(roomnum), cover: "c", appid: OTHER_APP.sdkAppId, device: 0, videotype: 0 }],
  };
}

/** A valid input of the command naming `roomnum`: the first combination of plausible values its schema accepts. */
function validInput(command: AnyCommand, roomnum: number): Record<string, unknown> {
  const values = plausibleValues(roomnum);
  const names = fieldNames(command.input).filter((name) => values[name] !== undefined);
  const combinations = names.reduce<Array<Record<string, unknown>>>((partial, name) => partial.flatMap((fields) => values[name]!.map((value) => ({ ...fields, [name]: value }))), [{}]);
  const valid = combinations.find((fields) => (command.input as z.ZodType).safeParse(fields).success);
  if (!valid) throw new Error(`${command.name}: no plausible input passes its schema; add its fields' values to plausibleValues`);
  return valid;
}

const sourcesOf = (sources: InputSource | readonly InputSource[]): readonly InputSource[] => (Array.isArray(sources) ? (sources as readonly InputSource[]) : [sources as InputSource]);

/** The REST request carrying `fields` as the route maps them. */
function restRequest(route: RestMapping, fields: Record<string, unknown>, roomnum: number) {
  let body: Record<string, unknown> = route.bodyIsInput ? { ...fields } : {};
  const query: Record<string, string> = {};
  for (const [field, sources] of Object.entries(route.input)) {
    const [source] = sourcesOf(sources);
    const value = fields[field];
    if (source === undefined || value === undefined) continue;
    if (source.from === "query") query[source.name] = typeof value === "string" ? value : JSON.stringify(value);
    else if (source.from === "body") body[source.name] = value;
    else if (source.from === "wholeBody") body = value as Record<string, unknown>;
  }
  return { path: route.path.replace(":roomnum", String(roomnum)), query, body };
}

interface Door {
  name: string;
  /** The input the command sees for this request (to ask the policy whether it names a room). */
  inputFor(roomnum: number): Record<string, unknown>;
  call(token: string, roomnum: number): Promise<{ status: number; body: unknown }>;
  /** Whether an answer is the refusal `load` declares. */
  refusal(answer: { status: number; body: unknown }, load: RoomLoad<unknown>): boolean;
}

const codeOf = (body: unknown) => (body as { errorCode?: unknown } | undefined)?.errorCode;

function protocolDoor(command: AnyCommand): Door {
  const [svc, cmd] = command.name.split(".") as [string, string];
  const live = command.dialect === "live";
  return {
    name: `${command.dialect} protocol`,
    inputFor: (roomnum) => validInput(command, roomnum),
    async call(token, roomnum) {
      const common = live ? { token } : { appid: OTHER_APP.sdkAppId, timeStamp: 1, token };
      const answer = await t.call(svc, cmd, { ...common, ...validInput(command, roomnum) }, live ? { path: "/sxb/index.php" } : {});
      return { status: answer.status, body: answer.body };
    },
    refusal: (answer, load) => answer.status === 200 && codeOf(answer.body) === (load.unknown === "absent" ? 0 : load.unknown),
  };
}

function restDoor(command: AnyCommand, route: RestMapping): Door {
  const requestFor = (roomnum: number) => restRequest(route, validInput(command, roomnum), roomnum);
  return {
    name: `REST ${route.method.toUpperCase()} ${route.path}`,
    inputFor(roomnum) {
      const { query, body } = requestFor(roomnum);
      const params = route.path.includes(":roomnum") ? { roomnum: String(roomnum) } : {};
      return inputOf(route, { params, query, body, bearer: undefined, address: () => "127.0.0.1" });
    },
    async call(token, roomnum) {
      const { path, query, body } = requestFor(roomnum);
      const search = new URLSearchParams(query).toString();
      const answer = await t.rest(route.method.toUpperCase(), `${path}${search ? `?${search}` : ""}`, { token, body: route.method === "get" ? undefined : body });
      return { status: answer.status, body: answer.body as unknown };
    },
    refusal: (answer, load) => (load.unknown === "absent" ? answer.status < 300 : answer.status === 404 && codeOf(answer.body) === load.unknown),
  };
}

/** Whether the policy loads a room for this input (a binding without roomnum is the caller's own library; a live leave names none). */
const namesRoom = (command: AnyCommand, input: Record<string, unknown>): boolean => {
  const parsed = (command.input as z.ZodType).safeParse(input);
  if (!parsed.success) throw new Error(`${command.name}: the test's request is not valid input: ${parsed.error.message}`);
  return command.access.loads!.namesRoom(parsed.data);
};

const roomCommands = COMMANDS.filter((command) => command.access.loads !== undefined);
/** The doors on which the command names a room (the input a door sends depends on the number only by its value). */
const doorsOf = (command: AnyCommand): Door[] =>
  [...(command.dialect === "rest" ? [] : [protocolDoor(command)]), ...restRoutesOf(command).map((route) => restDoor(command, route))].filter((door) =>
    namesRoom(command, door.inputFor(NO_ROOM)),
  );
const cases = roomCommands.flatMap((command) =>
  doorsOf(command).flatMap((door) => STATES[command.access.loads!.kind].map((state) => ({ label: `${command.name} (${door.name}) on another app's ${state} ${command.access.loads!.kind}`, command, door, state }))),
);

test("the registry has room policies on both dialects and REST (the generated cases below are not empty)", () => {
  expect(new Set(roomCommands.map((c) => c.dialect))).toEqual(new Set(["classroom", "live", "rest"]));
  expect(cases.length).toBeGreaterThan(50);
});

test("every command that takes a roomnum declares a room policy (only the app's own course list filters by one instead, and authPrivMap names Tencent's AV room, asked before the room exists)", () => {
  // The console's commands name their app themselves (`appid`, one of the operator's apps) and look the course up in it:
  // test/console.test.ts tries another app's course and an app not given on each.
  const undeclared = COMMANDS.filter((c) => c.auth !== "signed" && c.auth !== "console" && fieldNames(c.input).includes("roomnum") && c.access.loads === undefined).map((c) => `${c.dialect} ${c.name}`);
  expect(undeclared).toEqual(["classroom live.roomlist", "live account.authPrivMap"]);
});

test("every room policy names a room on at least one door (its declaration is not hollow)", () => {
  for (const command of roomCommands) expect({ command: command.name, doors: doorsOf(command).length > 0 }).toEqual({ command: command.name, doors: true });
});

test.each(cases)("$label: answered as a room that does not exist, and nothing changes", async ({ command, door, state }) => {
  const load = command.access.loads!;
  const target = targets[load.kind].find((room) => room.state === state)!;
  const token = await intruderToken();
  const before = await snapshot();
  const intruder = await door.call(token, target.roomnum);
  const unknown = await door.call(token, NO_ROOM);
  const after = await snapshot();
  expect(intruder).toEqual(unknown);
  expect({ answer: intruder, refusal: door.refusal(intruder, load as RoomLoad<unknown>) }).toEqual({ answer: intruder, refusal: true });
  expect(after).toBe(before);
});

describe("the exploit chain of issue 16, by hand: a user of OTHER_APP in TEST_APP's living live room", () => {
  const NOT_EXIST = { errorCode: 10010, errorInfo: "av room is not exist" };
  let roomnum: number;
  let intruder: string;
  let viewer: string;
  beforeAll(async () => {
    roomnum = targets.liveRoom.find((room) => room.state === "living")!.roomnum;
    intruder = await intruderToken();
    viewer = (await t.call("account", "login", { ...C, id: "student1", pwd: PWD })).body.data.token as string;
  });
  const membersSeenBy = async (token: string) => (await sxb("roomidlist", { token, roomnum, index: 0, size: 50 })).body;

  test("cannot join (reportmemid), ask for the mic (request), go on it (reportstatus on), nor read the members (roomidlist, REST)", async () => {
    expect((await sxb("reportmemid", { token: intruder, roomnum, role: 0, operate: 0 })).body).toEqual(NOT_EXIST);
    expect((await sxb("request", { token: intruder, roomnum })).body).toEqual(NOT_EXIST);
    expect((await sxb("reportstatus", { token: intruder, roomnum, status: "on" })).body).toEqual(NOT_EXIST);
    expect(await membersSeenBy(intruder)).toEqual(NOT_EXIST);
    expect(await t.rest("GET", `/live/rooms/${roomnum}/members`, { token: intruder })).toEqual({ status: 404, body: NOT_EXIST });
    // The room's own app sees its members, and no intruder among them.
    expect(await membersSeenBy(viewer)).toEqual({ errorCode: 0, errorInfo: "", data: { total: 2, idlist: [{ id: HOST_UID, role: 1 }, { id: "student1", role: 0 }] } });
    const intruderStays = await db.query(`SELECT m.roomnum FROM "ClassMember" m JOIN "Account" a ON a.uin = m.uin WHERE a.appid = $1`, [OTHER_APP.sdkAppId]);
    expect(intruderStays.rows).toEqual([]);
  });

  test("the commands that refused already still do: roomlist lists nothing of it, getroomplayurl answers [], REST GET /live/rooms/:n 404", async () => {
    expect((await sxb("roomlist", { token: intruder, index: 0, size: 50 })).body.data).toEqual({ total: 0, rooms: [] });
    expect((await sxb("getroomplayurl", { token: intruder, roomnum })).text).toBe('{"errorCode":0,"errorInfo":"","data":[]}');
    expect(await t.rest("GET", `/live/rooms/${roomnum}`, { token: intruder })).toEqual({ status: 404, body: NOT_EXIST });
  });
});
