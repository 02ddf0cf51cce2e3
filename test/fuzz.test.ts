import fc from "fast-check";
import { restRoutesOf, type AnyCommand } from "../src/commands/command";
import { fieldNames } from "../src/commands/fields";
import { COMMANDS } from "../src/commands/registry";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { sql, TEST_CALLBACK_KEY } from "./support/env";
import { imCallbackQuery, liveCallbackSignature } from "./support/callbacks";

/**
 * Property-based fuzzing generated from the command registry: every declared field of
 * every command (present and future) gets hostile values, and undeclared keys come along,
 * on both doors. Properties: never 5xx, never 90000, always the JSON envelope, and a
 * rejected request changes no row and no Redis key; valid traffic running beside it is
 * unaffected. Seeded: FUZZ_SEED=<n> replays a run; the seed is printed on failure.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2147483647);
const RUNS_PER_DOOR = Number(process.env.FUZZ_RUNS ?? 250);
/** A run takes some 40 ms here (two snapshots of every table and key): longer runs get the time they need. */
const DOOR_TIMEOUT_MS = Math.max(30_000, RUNS_PER_DOOR * 120);

let t: TestServer;
let T: string;
let S: string;
let living: number;
let created: number;
let liveShow: number;

beforeAll(async () => {
  t = await startTestServer();
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
afterAll(() => t.close());

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

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
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
async function snapshot(): Promise<string> {
  const tables = ["Account", "Course", "ClassMember", "Binding", "VideoRecord", "Recording", "LivePush", "LiveRoom"];
  const rows = await Promise.all(tables.map((name) => sql<{ d: string | null }>(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM "${name}" t`)));
  const redis = (await t.server.redis.eval(
    "local keys = redis.call('KEYS', '*') table.sort(keys) local parts = {} for _, k in ipairs(keys) do parts[#parts + 1] = k .. '=' .. (redis.call('DUMP', k) or '') end return redis.sha1hex(table.concat(parts, '|'))",
    0,
  )) as string;
  return `${rows.map((r) => r[0]!.d).join(",")}#${redis}`;
}

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

const reportSeed = (error: unknown): never => {
  console.error(`fuzz failed with FUZZ_SEED=${SEED}`);
  throw error;
};

const commands = fc.constantFrom(...COMMANDS.filter((c) => c.dialect !== "rest"));

test("protocol door: hostile inputs to every command never 5xx, never 90000, and a rejected one changes nothing", async () => {
  const property = fc.asyncProperty(commands.chain((command) => hostileInput(command).map((fields) => ({ command, fields }))), async ({ command, fields }) => {
    const signature = signatureOf(command);
    const common: Array<[string, unknown]> = [["appid", C.appid], ["timeStamp", C.timeStamp], ["token", T], ...signature.body];
    const body = jsonText([...common, ...fields]);
    const before = await snapshot();
    const rejected = judge("protocol", `${command.name} ${body.slice(0, 300)}`, await protocolCall(command, body, signature.query), command);
    if (rejected && (await snapshot()) !== before) throw new Error(`a rejected ${command.name} changed state: ${body.slice(0, 300)}`);
  });
  await fc.assert(property, { seed: SEED, numRuns: RUNS_PER_DOOR }).catch(reportSeed);
}, DOOR_TIMEOUT_MS);

const routes = fc.constantFrom(...COMMANDS.flatMap((command) => restRoutesOf(command).map((route) => ({ command, route }))));

test("REST door: hostile paths, queries and bodies to every route never 5xx, never 90000, and a rejected one changes nothing", async () => {
  const property = fc.asyncProperty(
    routes.chain(({ command, route }) => fc.record({ fields: hostileInput(command), pathValue: fc.oneof(hostileScalar, brokenEscapes) }).map((g) => ({ command, route, ...g }))),
    async ({ command, route, fields, pathValue }) => {
      const pathPart = typeof pathValue === "string" && pathValue.startsWith("%") ? pathValue : percentEncoded(pathValue).slice(0, 3000);
      const path = route.path.replace(/:[a-z_]+/g, pathPart);
      const signature = signatureOf(command);
      const query = [...fields.map(([k, v]) => `${percentEncoded(k)}=${percentEncoded(v).slice(0, 3000)}`), ...(signature.query ? [signature.query] : [])].join("&");
      const init: RequestInit = { method: route.method.toUpperCase(), headers: { "content-type": "application/json", authorization: `Bearer ${T}` } };
      if (route.method !== "get") init.body = jsonText([...signature.body, ...fields]);
      const before = await snapshot();
      const response = await fetch(`${t.url}/api/v1${path}?${query}`, init);
      const rejected = judge("rest", `${route.method} ${path}`, { status: response.status, text: await response.text() }, command);
      if (rejected && (await snapshot()) !== before) throw new Error(`a rejected ${command.name} (${route.method} ${route.path}) changed state`);
    },
  );
  await fc.assert(property, { seed: SEED, numRuns: RUNS_PER_DOOR }).catch(reportSeed);
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
