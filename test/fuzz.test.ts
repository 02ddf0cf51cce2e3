import fc from "fast-check";
import { Client } from "pg";
import { restRoutesOf, type AnyCommand } from "../src/commands/command";
import { fieldNames } from "../src/commands/fields";
import { COMMANDS } from "../src/commands/registry";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { TEST_CALLBACK_KEY, testDatabaseUrl } from "./support/env";
import { PropertyRuns } from "./support/property-runs";
import { stateSnapshot } from "./support/state-snapshot";
import { imCallbackQuery, liveCallbackSignature } from "./support/callbacks";
import { type OpenApiCheck, openApiCheckOf } from "./support/openapi-check";

/**
 * Property-based fuzzing generated from the command registry: every declared field of
 * every command (present and future) gets hostile values, and undeclared keys come along,
 * on both doors. Properties: never 5xx, never 90000, always the JSON envelope, and a
 * rejected request changes no row and no Redis key; valid traffic running beside it is
 * unaffected. Tencent's callbacks are signed as Tencent signs them, so their payloads are
 * judged (a check fails if the fuzz only ever met their signature check); every field also
 * meets each edge of what can be stored, exhaustively. Seeded: FUZZ_SEED=<n> replays a run;
 * the seed is printed on failure. FUZZ_RUNS sets the runs per door.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2147483647);
/** The budget is a number of runs, never a wall clock (a loaded machine only makes them slower). */
const RUNS_PER_DOOR = Number(process.env.FUZZ_RUNS ?? 500);
/** A ceiling far above what the runs take even on a busy machine (a run takes some 20 ms here): it only stops a hang. */
const DOOR_TIMEOUT_MS = RUNS_PER_DOOR * 2000;

let t: TestServer;
let T: string;
let S: string;
let living: number;
let created: number;
let liveShow: number;
/** One connection for the snapshots (a connection per query would cost more than the request judged). */
let db: Client;
/** The runs of the test in progress: when it ends (a timeout included) no further run starts and the one in flight is awaited. */
let runs: PropertyRuns | undefined;
afterEach(async () => {
  await runs?.end();
  runs = undefined;
});

beforeAll(async () => {
  t = await startTestServer();
  db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  T = await signUp(t, "fuzz-teacher", 1);
  S = await signUp(t, "fuzz-student", 0);
  const create = async () => (await t.call("live", "create", { ...C, token: T, title: "fuzz" })).body.data.roomnum as number;
  living = await create();
  created = await create();
  await t.call("live", "startcourse", { ...C, token: T, roomnum: living });
  await t.call("live", "reportmemid", { ...C, token: S, roomnum: living, operate: 0 });
  // A reported live show of the teacher's, for the live dialect's commands.
  const sxb = (cmd: string, body: Record<string, unknown>) => t.call("live", cmd, body, { path: "/sxb/index.php" });
  liveShow = (await sxb("create", { token: T, type: "live" })).body.data.roomnum as number;
  const room = { title: "fuzz", roomnum: liveShow, type: "live", groupid: String(liveShow), cover: "c", appid: C.appid, device: 1, videotype: 0 };
  await sxb("reportroom", { token: T, room });
});
afterAll(async () => {
  await db.end();
  await t.close();
});

/** Plausible values of the usual fields (hostile values replace some of them); unknown commands start from nothing. */
const base = (command: AnyCommand): Record<string, unknown> => ({
  roomnum: command.dialect === "live" ? liveShow : created,
  type: "live",
  thumbup: 1,
  room: { title: "t", roomnum: liveShow, type: "live", groupid: String(liveShow), cover: "c", appid: C.appid, device: 0, videotype: 0 },
  title: "t",
  cover: "c",
  index: 0,
  size: 5,
  operate: 1,
  id: "fuzz-someone",
  pwd: "cA==",
  role: 0,
  url: "http://x",
  bind_file: { type: 0, file_name: "f", url: "http://x" },
  // Tencent's callbacks: a recording file of the living class, the index of the created one.
  event_type: 100,
  stream_id: "s",
  start_time: 1000,
  end_time: 1060,
  media_start_time: 0,
  file_size: 1024,
  duration: 60,
  video_id: "v",
  video_url: "http://vod/v.mp4",
  stream_param: `groupid=${living}&userid=${Buffer.from("fuzz-teacher").toString("base64")}`,
  SrcRequest: JSON.stringify({ GroupId: String(created) }),
  ErrorCode: 0,
  ErrorInfo: "",
  ReplayIndex: { FileUrl: "http://idx/x.json", CreateTime: 1 },
});

/** What a signed command's request carries to prove itself (recomputed here, independently of the server). */
function signatureOf(command: AnyCommand): { body: Array<[string, unknown]>; query: string } {
  if (command.envelope === "liveCallback" || command.envelope === "liveEvent") {
    const { t: expiry, sign } = liveCallbackSignature(TEST_CALLBACK_KEY);
    return { body: [["t", expiry], ["sign", sign]], query: "" };
  }
  if (command.envelope === "imCallback") return { body: [], query: new URLSearchParams(imCallbackQuery(TEST_CALLBACK_KEY)).toString() };
  return { body: [], query: "" };
}

/** The edges of what can be stored: int4 columns, JavaScript dates (8.64e15 ms), safe integers, int8. */
const STORAGE_EDGES: readonly unknown[] = [2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 63, 1e13, 8.64e12 + 1, "2147483648", "9007199254740993"];

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...STORAGE_EDGES) },
  // What PostgreSQL cannot store, and what case folding lengthens.
  { weight: 4, arbitrary: fc.constantFrom("a\u0000b", "\u0000", "\ud800", "x\udfff", "\udbff\udbff", "İ".repeat(30), "ǅ".repeat(60), "\u202e", "'; DROP TABLE \"Account\"; --") },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, [1], [[[]]], 1.5, -1, 0, -0, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308) },
  { weight: 2, arbitrary: fc.constantFrom("", "0", "-0", "01", " 1", "1 ", "+1", "1e3", "0x10", "1_000", "99999999999999999999", "NaN", "Infinity") },
  { weight: 1, arbitrary: fc.constantFrom("x".repeat(70000), "é".repeat(40000)) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
);
const nested = (depth: number): unknown => (depth === 0 ? [] : { a: [nested(depth - 1)] });
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("type", "file_name", "url", "__proto__", "constructor", "x"), hostileScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 30 }).map(nested) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);
const undeclaredKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "appid", "timeStamp", "token", "zz");

/** Every byte of the value's UTF-8 percent-encoded (lone surrogates go as U+FFFD, as on any wire). */
const percentEncoded = (value: unknown): string =>
  [...Buffer.from(typeof value === "string" ? value : (JSON.stringify(value) ?? ""), "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

/** Path segments that are not valid percent-encoding at all. */
const brokenEscapes = fc.constantFrom("%", "%ZZ", "%C0%80", "%ED%A0%80", "%FF%FE", "%2e%2e", "%00");

/** A body as raw JSON text (so that __proto__ is a real key and keys may repeat). */
function jsonText(fields: Array<[string, unknown]>): string {
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`;
}

/** A hostile input for a command: its declared fields, some replaced by hostile values, plus undeclared and repeated keys. */
function hostileInput(command: AnyCommand): fc.Arbitrary<Array<[string, unknown]>> {
  const declared = fieldNames(command.input);
  return fc
    .record({
      // Mostly one field at a time, so that the others pass and the hostile one is really judged.
      replaced: declared.length === 0 ? fc.constant<string[]>([]) : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...declared).map((name): string[] => [name]) }, fc.subarray(declared, { minLength: 1 })),
      values: fc.array(hostile, { minLength: declared.length, maxLength: declared.length }),
      extra: fc.array(fc.tuple(undeclaredKey, hostile), { maxLength: 2 }),
      repeat: fc.boolean(),
    })
    .map(({ replaced, values, extra, repeat }) => {
      const plausible = base(command);
      const fields: Array<[string, unknown]> = declared.map((name, i) => [name, replaced.includes(name) ? values[i] : plausible[name]]);
      if (repeat && fields.length > 0) fields.push([fields[0]![0], values[0]]);
      return [...fields, ...extra];
    });
}

/** Everything a rejected request must leave as it was: every row, every Redis key. */
const snapshot = () => stateSnapshot(db, t.server.redis);

interface Answer {
  status: number;
  text: string;
}

async function protocolCall(command: AnyCommand, body: string, query = ""): Promise<Answer> {
  const [svc, cmd] = command.name.split(".");
  const path = command.dialect === "live" ? "/sxb/index.php" : "/index.php";
  const response = await fetch(`${t.url}${path}?svc=${svc}&cmd=${cmd}${query ? `&${query}` : ""}`, { method: "POST", body });
  return { status: response.status, text: await response.text() };
}

/** Tencent's callbacks answer in Tencent's shapes (a body that is not JSON, or too deep, the standard 10002): their code says whether it was accepted. */
function judgeCallback(command: AnyCommand, where: string, answer: Answer): boolean {
  const body = JSON.parse(answer.text) as { code?: unknown; ErrorCode?: unknown; ActionStatus?: unknown; ErrorInfo?: unknown; errorCode?: unknown };
  if (body.errorCode === 10002) return true;
  const code = command.envelope === "imCallback" ? body.ErrorCode : body.code;
  if (typeof code !== "number") throw new Error(`not Tencent's shape: ${where}`);
  if (command.envelope === "imCallback" && (typeof body.ActionStatus !== "string" || typeof body.ErrorInfo !== "string")) throw new Error(`not IM's shape: ${where}`);
  if (code === 90000) throw new Error(`90000 for an input: ${where}`);
  return answer.status !== 200 || code !== 0;
}

/** Checks the answer's shape; returns whether the request was rejected. */
function judge(door: string, what: string, answer: Answer, command?: AnyCommand): boolean {
  const where = `${door} ${what} → ${answer.status} ${answer.text.slice(0, 200)}`;
  if (answer.status >= 500) throw new Error(`5xx: ${where}`);
  if (answer.status === 204) return false;
  let body: { errorCode?: unknown; errorInfo?: unknown };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    throw new Error(`not JSON: ${where}`);
  }
  if (command?.envelope !== undefined && command.envelope !== "standard") return judgeCallback(command, where, answer);
  const isEnvelope = typeof body.errorCode === "number" && typeof body.errorInfo === "string";
  if (door === "protocol" && (!isEnvelope || answer.status !== 200)) throw new Error(`not the envelope: ${where}`);
  if (door === "rest" && answer.status >= 400 && !isEnvelope) throw new Error(`error without {errorCode, errorInfo}: ${where}`);
  if (body.errorCode === 90000) throw new Error(`90000 for an input: ${where}`);
  return answer.status >= 400 || (isEnvelope && body.errorCode !== 0);
}

/** A logout the fuzz made went through: the teacher logs in again, or every later run would only meet "Token expired". */
async function keepTeacherSession(command: AnyCommand): Promise<void> {
  if (command.name !== "account.logout") return;
  const login = await t.call("account", "login", { ...C, id: "fuzz-teacher", pwd: "cGFzc3dvcmQ=" });
  T = login.body.data.token as string;
}

const reportSeed = (error: unknown): never => {
  console.error(`fuzz failed with FUZZ_SEED=${SEED}`);
  throw error;
};

const commands = fc.constantFrom(...COMMANDS.filter((c) => c.dialect !== "rest"));

/**
 * How often a signed command's hostile payload got past its signature (anything but 401): the fuzz
 * signs Tencent's callbacks as Tencent does, so their payloads are judged, not only their signature.
 */
class SignedReach {
  private readonly byCommand = new Map<string, { runs: number; judged: number }>();

  note(command: AnyCommand, status: number): void {
    if (command.auth !== "signed") return;
    const seen = this.byCommand.get(command.name) ?? { runs: 0, judged: 0 };
    seen.runs += 1;
    if (status !== 401) seen.judged += 1;
    this.byCommand.set(command.name, seen);
  }

  /** Each signed command tried a few times had its payload judged at least once. */
  unreached(): string[] {
    return [...this.byCommand].filter(([, seen]) => seen.runs >= 3 && seen.judged === 0).map(([name]) => name);
  }
}

test("protocol door: hostile inputs to every command never 5xx, never 90000, and a rejected one changes nothing", async () => {
  const current = (runs = new PropertyRuns());
  const reach = new SignedReach();
  const property = fc.asyncProperty(commands.chain((command) => hostileInput(command).map((fields) => ({ command, fields }))), ({ command, fields }) => current.run(async () => {
    const signature = signatureOf(command);
    const common: Array<[string, unknown]> = [["appid", C.appid], ["timeStamp", C.timeStamp], ["token", T], ...signature.body];
    const body = jsonText([...common, ...fields]);
    const before = await snapshot();
    const answer = await protocolCall(command, body, signature.query);
    reach.note(command, answer.status);
    const rejected = judge("protocol", `${command.name} ${body.slice(0, 300)}`, answer, command);
    if (!rejected) await keepTeacherSession(command);
    if (rejected && (await snapshot()) !== before) throw new Error(`a rejected ${command.name} changed state: ${body.slice(0, 300)}`);
  }));
  await fc.assert(property, { seed: SEED, numRuns: RUNS_PER_DOOR }).catch(reportSeed);
  expect(reach.unreached()).toEqual([]);
}, DOOR_TIMEOUT_MS);

let openApi: Promise<OpenApiCheck> | undefined;
const routes = fc.constantFrom(...COMMANDS.flatMap((command) => restRoutesOf(command).map((route) => ({ command, route }))));

test("REST door: hostile paths, queries and bodies to every route never 5xx, never 90000, and a rejected one changes nothing", async () => {
  const current = (runs = new PropertyRuns());
  const reach = new SignedReach();
  const property = fc.asyncProperty(
    routes.chain(({ command, route }) => fc.record({ fields: hostileInput(command), pathValue: fc.oneof(hostileScalar, brokenEscapes) }).map((g) => ({ command, route, ...g }))),
    ({ command, route, fields, pathValue }) => current.run(async () => {
      const pathPart = typeof pathValue === "string" && pathValue.startsWith("%") ? pathValue : percentEncoded(pathValue).slice(0, 3000);
      const path = route.path.replace(/:[a-z_]+/g, pathPart);
      const signature = signatureOf(command);
      const query = [...fields.map(([k, v]) => `${percentEncoded(k)}=${percentEncoded(v).slice(0, 3000)}`), ...(signature.query ? [signature.query] : [])].join("&");
      const init: RequestInit = { method: route.method.toUpperCase(), headers: { "content-type": "application/json", authorization: `Bearer ${T}` } };
      if (route.method !== "get") init.body = jsonText([...signature.body, ...fields]);
      const before = await snapshot();
      const response = await fetch(`${t.url}/api/v1${path}?${query}`, init);
      reach.note(command, response.status);
      const text = await response.text();
      // Hostile or not, every answer is one the OpenAPI document describes.
      (await (openApi ??= openApiCheckOf(t.url))).check(route.method, `/api/v1${path}`, response.status, text ? (JSON.parse(text) as unknown) : undefined);
      const rejected = judge("rest", `${route.method} ${path}`, { status: response.status, text }, command);
      if (!rejected) await keepTeacherSession(command);
      if (rejected && (await snapshot()) !== before) throw new Error(`a rejected ${command.name} (${route.method} ${route.path}) changed state`);
    }),
  );
  await fc.assert(property, { seed: SEED, numRuns: RUNS_PER_DOOR }).catch(reportSeed);
  expect(reach.unreached()).toEqual([]);
}, DOOR_TIMEOUT_MS);

test("every declared field of every command, at each edge of what can be stored, never 5xx or 90000", async () => {
  // Exhaustive where the random runs are sparse: one field at a time, the others plausible.
  for (const command of COMMANDS.filter((c) => c.dialect !== "rest")) {
    const plausible = base(command);
    const signature = signatureOf(command);
    const declared = fieldNames(command.input);
    for (const name of declared) {
      await Promise.all(
        STORAGE_EDGES.map(async (edge) => {
          const fields: Array<[string, unknown]> = declared.map((field) => [field, field === name ? edge : plausible[field]]);
          const body = jsonText([["appid", C.appid], ["timeStamp", C.timeStamp], ["token", T], ...signature.body, ...fields]);
          judge("protocol", `${command.name} ${name}=${String(edge)}`, await protocolCall(command, body, signature.query), command);
        }),
      );
    }
  }
}, DOOR_TIMEOUT_MS);

test("valid requests running beside hostile ones are unaffected", async () => {
  const valid = [
    () => t.call("live", "heartbeat", { ...C, token: S, roomnum: living }),
    () => t.call("live", "roomlist", { ...C, token: S, index: 0, size: 5, host_uid: "fuzz-teacher" }),
    () => t.call("live", "roomidlist", { ...C, token: S, roomnum: living, index: 0, size: 5 }),
    () => t.rest("GET", `/courses/${living}`, { token: S }),
  ];
  const samples = fc.sample(commands.chain((command) => hostileInput(command).map((fields) => ({ command, fields }))), { seed: SEED, numRuns: 80 });
  const hostileCalls = samples.map(({ command, fields }) => async () => {
    const signature = signatureOf(command);
    const answer = await protocolCall(command, jsonText([["appid", C.appid], ["timeStamp", 1], ["token", S], ...signature.body, ...fields]), signature.query);
    return { command, answer };
  });
  const validAnswers: Array<Promise<{ status: number; body: { errorCode?: number } }>> = [];
  const hostileAnswers: Array<Promise<{ command: AnyCommand; answer: Answer }>> = [];
  for (let i = 0; i < samples.length; i++) {
    hostileAnswers.push(hostileCalls[i]!());
    validAnswers.push(valid[i % valid.length]!());
  }
  for (const { command, answer } of await Promise.all(hostileAnswers)) judge("protocol", "beside valid traffic", answer, command);
  for (const answer of await Promise.all(validAnswers)) expect({ status: answer.status, code: answer.body.errorCode ?? 0 }).toEqual({ status: 200, code: 0 });
});
