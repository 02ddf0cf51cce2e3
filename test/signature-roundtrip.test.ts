import { createHash, createHmac } from "node:crypto";
import { request as httpRequest } from "node:http";
import { inflateSync } from "node:zlib";
import fc from "fast-check";
import { verifyUserSig } from "../src/emulator/usersig";
import { genUserSig } from "../src/infra/tencent/usersig";
import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { TEST_APP, TEST_CLOUD } from "./support/env";

/**
 * Every signature the server makes or hands out signs exactly what its policy allowed.
 * Hostile keys, values and paths (delimiters, %-escapes, dot segments, backslashes,
 * control, invisible and non-ASCII characters, repeated keys, long strings) go through
 * every signer; the property: the server refuses with the field's 10003 (or the policy's
 * 10101), or the signed text, read back here by Tencent's documented algorithm (written
 * here, never the server's code), is exactly the allowed request, and the emulator accepts
 * it for that request and for nothing else. Seeded: FUZZ_SEED=<n> replays a run; budgeted
 * by runs (SIGNATURE_RUNS per signer), never by the clock.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2147483647);
const RUNS = Number(process.env.SIGNATURE_RUNS ?? 50);

let t: TestServer;
let T: string;
let S: string;
const STUDENT = "rt-student";
/** The student's own folder: under its app's (apps that share a bucket never reach each other's files). */
const OWN = `${C.appid}/${STUDENT}`;

beforeAll(async () => {
  t = await startTestServer();
  T = await signUp(t, "rt-teacher", 1);
  S = await signUp(t, STUDENT, 0);
});
afterAll(() => t.close());

const runs = (numRuns = RUNS) => ({ seed: SEED, numRuns });
const reportSeed = (error: unknown): never => {
  console.error(`signature round trip failed with FUZZ_SEED=${SEED}`);
  throw error;
};
let unique = 0;

// ---- hostile text ----

const fragment = fc.constantFrom(
  "&", "=", "?", "#", "%", "%26", "%3D", "%2e%2e", "..%2f", "%2F", "..", ".", "/", "//", "\\", "+", " ", ";", ":",
  "\n", "\r\n", "\t", "\u0000", "\u007f", "\u0085", "\u200b", "\u202e", "\u2028", "\ud800", "\ufeff",
  "é", "课件", "Ａ", "_", "-", "a", "Z", "0", "Action", "DeleteVodFile", "f=", "b=other", "host=", "TLS.sdkappid:1", "[0]",
);
const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.array(fragment, { minLength: 1, maxLength: 7 }).map((parts) => parts.join("")) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constantFrom("x".repeat(3000), "课".repeat(700)) },
);
/** Plain names every signer should sign (so that a server refusing everything fails). */
const benignText = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const someText = fc.oneof({ weight: 2, arbitrary: benignText }, { weight: 3, arbitrary: hostileText });

/** A value written as JSON text as it is (keys of a RawJson object may repeat: JSON.parse keeps the last, as the server's reader). */
class RawJson {
  constructor(readonly text: string) {}
}
const jsonText = (fields: Array<[string, unknown]>): string =>
  `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v instanceof RawJson ? v.text : (JSON.stringify(v) ?? "null")}`).join(",")}}`;

interface Answer {
  code: number;
  info: string;
  data: Record<string, unknown>;
}

/** One command on either door, as {code, info, data}. */
async function viaDoor(door: "protocol" | "rest", command: { svc: string; cmd: string; rest: string }, token: string, fields: Array<[string, unknown]>): Promise<Answer> {
  if (door === "protocol") {
    const answer = await t.call(command.svc, command.cmd, undefined, { raw: jsonText([["appid", C.appid], ["timeStamp", C.timeStamp], ["token", token], ...fields]) });
    return { code: answer.body.errorCode, info: answer.body.errorInfo, data: answer.body.data ?? {} };
  }
  const answer = await t.rest("POST", command.rest, { token, raw: jsonText(fields) });
  return answer.status < 300 ? { code: 0, info: "", data: answer.body ?? {} } : { code: answer.body.errorCode, info: answer.body.errorInfo, data: {} };
}

const expectRefusedWith = (answer: Answer, allowed: Array<[number, string]>) => expect(allowed).toContainEqual([answer.code, answer.info]);

// ---- Tencent's readings, written here from the documented algorithms ----

/** `k=v&…`: split on every `&`, each pair on its first `=`. */
const readPairs = (text: string): Array<[string, string | undefined]> =>
  text === "" ? [] : text.split("&").map((pair): [string, string | undefined] => (pair.includes("=") ? [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)] : [pair, undefined]));
const keysOf = (pairs: Array<[string, unknown]>) => pairs.map(([k]) => k);
const noRepeatedKey = (pairs: Array<[string, unknown]>) => new Set(keysOf(pairs).map((k) => k.toLowerCase())).size === pairs.length;
const decodesToItself = (text: string) => {
  try {
    return decodeURIComponent(text) === text;
  } catch {
    return false;
  }
};
const hasDotSegment = (path: string) => path.split("/").some((segment) => segment === "." || segment === "..");
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A JSON value as PHP's string conversion writes it (what v2 signers sign). */
function phpText(value: unknown): string {
  if (value === true) return "1";
  if (value === false || value === null) return "";
  if (typeof value === "string") return value;
  return typeof value === "number" ? String(value) : "Array"; // objects and lists, as PHP writes them
}

/** MAC bytes then the plain text (COS v4, VOD upload): the plain text, once its MAC is checked as the account's. */
function macThenPlain(sign: string): string {
  const raw = Buffer.from(sign, "base64");
  const plain = raw.subarray(20).toString("utf8");
  expect(raw.subarray(0, 20).equals(createHmac("sha1", TEST_CLOUD.secretKey).update(plain).digest())).toBe(true);
  return plain;
}

// ---- Cloud API v2 ----

const v2Key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("fileId", "page_size", "page.size", "pageNo", "fileIds.0", "Region", "a_b", "aZ", "FILEID", "fileid", "Signature", "_x", "x-y", "Action") },
  { weight: 2, arbitrary: someText },
);
const v2Value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: someText },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(["a"], {}, { a: 1 }) },
);
const v2Extra = fc.array(fc.tuple(v2Key, v2Value), { maxLength: 4 });
const objectText = (pairs: Array<[string, unknown]>) => new RawJson(jsonText(pairs));

/** The text Tencent rebuilds from a v2 request: METHOD host /v2/index.php ? sorted k=v, `_` read as `.`, raw values, Signature left out. */
function tencentV2Text(method: string, host: string, params: Record<string, unknown>): string {
  const pairs = Object.entries(params)
    .filter(([k]) => k !== "Signature")
    .map(([k, v]): [string, string] => [k.replace(/_/g, "."), phpText(v)])
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `${method}${host}/v2/index.php?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`;
}

/** Sends a v2 request to the emulator's VOD as an app would: whether its signature was accepted. */
async function emulatorAcceptsV2(method: "GET" | "POST", params: Record<string, unknown>, signature: string): Promise<boolean> {
  const form = new URLSearchParams(Object.entries({ ...params, Signature: signature }).map(([k, v]): [string, string] => [k, phpText(v)]));
  const url = `${t.tencent.url}/v2/index.php`;
  const response = method === "GET" ? await fetch(`${url}?${form.toString()}`) : await fetch(url, { method: "POST", body: form });
  return ((await response.json()) as { code: number }).code !== 4100;
}

test("vod.get_sign (both doors): the field's 10003, or a signature of exactly Tencent's one reading of the allowed request", async () => {
  let signed = 0;
  const request = fc.record({
    door: fc.constantFrom("protocol" as const, "rest" as const),
    method: fc.constantFrom("GET" as const, "POST" as const),
    host: fc.oneof({ weight: 6, arbitrary: fc.constant("vod.api.qcloud.com") }, { weight: 1, arbitrary: hostileText }),
    path: fc.oneof({ weight: 5, arbitrary: fc.constant("/v2/index.php") }, { weight: 1, arbitrary: hostileText.map((s) => `/v2/index.php${s}`) }, { weight: 1, arbitrary: hostileText }),
    action: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("DescribeVodInfo", "GetVideoInfo") }, { weight: 1, arbitrary: someText }),
    sha256: fc.boolean(),
    extra: v2Extra,
  });
  const property = fc.asyncProperty(request, async (r) => {
    const pairs: Array<[string, unknown]> = [["Action", r.action], ["Nonce", 7], ["Timestamp", Math.floor(Date.now() / 1000)], ["SecretId", ""], ...r.extra];
    if (r.sha256) pairs.push(["SignatureMethod", "HmacSHA256"]);
    const params = objectText(pairs);
    const answer = await viaDoor(r.door, { svc: "vod", cmd: "get_sign", rest: "/signatures/vod" }, S, [["method", r.method], ["host", r.host], ["path", r.path], ["params", params]]);
    if (answer.code !== 0) {
      expectRefusedWith(answer, [[10003, "invalid host"], [10003, "invalid path"], [10003, "invalid params"], [10101, "Server internal error:unsupport action."]]);
      return;
    }
    signed += 1;
    const allowed: Record<string, unknown> = { ...(JSON.parse(params.text) as Record<string, unknown>), SecretId: TEST_CLOUD.secretId };
    expect(["DescribeVodInfo", "GetVideoInfo", "MultipartUploadVodFile", "ApplyUpload", "CommitUpload"]).toContain(allowed.Action);
    // The signature is of the text Tencent rebuilds from the allowed request (its only path, whatever was asked)…
    const plain = tencentV2Text(r.method, r.host, allowed);
    expect(answer.data.sign).toBe(createHmac(r.sha256 ? "sha256" : "sha1", TEST_CLOUD.secretKey).update(plain, "utf8").digest("base64"));
    // …and that text has one reading: the host ends at the path, the pairs are exactly the allowed ones.
    expect(r.host).not.toMatch(/[/?]/);
    const read = readPairs(plain.slice(`${r.method}${r.host}/v2/index.php?`.length));
    expect(noRepeatedKey(read)).toBe(true);
    expect(read.every(([k, v]) => v !== undefined && !/[&=?#%]/.test(k) && !/[&=?#%]/.test(v) && !CONTROL.test(k + v))).toBe(true);
    expect(Object.fromEntries(read)).toEqual(Object.fromEntries(Object.entries(allowed).map(([k, v]) => [k.replace(/_/g, "."), phpText(v)])));
    if (r.host === "vod.api.qcloud.com") {
      // The emulator's VOD v2 accepts it for the allowed request, and not for another action.
      const refusedBefore = t.tencent.vod.rejected.length;
      expect(await emulatorAcceptsV2(r.method, allowed, answer.data.sign as string)).toBe(true);
      expect(await emulatorAcceptsV2(r.method, { ...allowed, Action: "DeleteVodFile" }, answer.data.sign as string)).toBe(false);
      t.tencent.vod.rejected.splice(refusedBefore);
    }
  });
  await fc.assert(property, runs(RUNS * 2)).catch(reportSeed);
  expect(signed).toBeGreaterThan(0);
});

test("vod.cmd_proxy's own v2 calls (both doors): the field's 10003 and nothing sent, or exactly the teacher's parameters sent, signed as Tencent reads them", async () => {
  let sent = 0;
  const request = fc.record({
    door: fc.constantFrom("protocol" as const, "rest" as const),
    method: fc.constantFrom("GET" as const, "POST" as const),
    action: fc.constantFrom("DescribeVodInfo", "GetVideoInfo"),
    extra: v2Extra,
  });
  const property = fc.asyncProperty(request, async (r) => {
    const params = objectText([["Action", r.action], ...r.extra]);
    const given = JSON.parse(params.text) as Record<string, unknown>;
    const before = { received: t.tencent.vod.received.length, rejected: t.tencent.vod.rejected.length };
    const answer = await viaDoor(r.door, { svc: "vod", cmd: "cmd_proxy", rest: "/vod/commands" }, T, [["method", r.method], ["host", "vod.api.qcloud.com"], ["path", "/v2/index.php"], ["params", params]]);
    if (answer.code === 10003 || answer.code === 10101) {
      expectRefusedWith(answer, [[10003, "invalid params"], [10003, "invalid params.Action"], [10003, "lack of params.Action"], [10101, "Server internal error:unsupport action."]]);
      expect(t.tencent.vod.received).toHaveLength(before.received);
      return;
    }
    // Sent (0, or 90000 with Tencent's answer): as the allowed action, accepted by the emulator, with exactly the teacher's parameters.
    sent += 1;
    expect(["DescribeVodInfo", "GetVideoInfo"]).toContain(given.Action);
    expect(t.tencent.vod.received).toHaveLength(before.received + 1);
    expect(t.tencent.vod.rejected).toHaveLength(before.rejected); // the emulator accepted the server's signature
    const request = t.tencent.vod.received.at(-1)!;
    const got = [...new URLSearchParams(r.method === "GET" ? request.url.search : request.body.toString("utf8"))];
    expect(noRepeatedKey(got)).toBe(true);
    // A Region not given (or null: PHP's isset) is the configured one.
    const expected = { ...given, ...(given.Region === undefined || given.Region === null ? { Region: "sh" } : {}) };
    const common = ["Nonce", "RequestClient", "SecretId", "Signature", "Timestamp"];
    expect(keysOf(got).sort()).toEqual([...Object.keys(expected), ...common].sort());
    const gotOf = Object.fromEntries(got);
    for (const [k, v] of Object.entries(expected)) expect(gotOf[k]).toBe(phpText(v));
  });
  await fc.assert(property, runs()).catch(reportSeed);
  expect(sent).toBeGreaterThan(0);
});

// ---- COS v4 (cos.get_sign) ----

async function v4Upload(bucket: string, path: string, sign: string): Promise<number> {
  const form = new FormData();
  form.set("op", "upload");
  form.set("filecontent", new Blob(["x"]), "file");
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const response = await fetch(`${t.tencent.url}/files/v2/${TEST_CLOUD.appId}/${bucket}${encoded}`, { method: "POST", headers: { authorization: sign }, body: form });
  return ((await response.json()) as { code: number }).code;
}

test("cos.get_sign (both doors): the field's 10003 or 10101, or a v4 text of exactly the allowed bucket and file, which the emulator's COS takes for that file only", async () => {
  let signed = 0;
  const request = fc.record({
    door: fc.constantFrom("protocol" as const, "rest" as const),
    student: fc.boolean(),
    type: fc.constantFrom(0, 1),
    bucket: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant("other") }, { weight: 1, arbitrary: hostileText }),
    inOwnFolder: fc.boolean(),
    path: fc.option(someText, { nil: undefined, freq: 6 }),
  });
  const property = fc.asyncProperty(request, async (r) => {
    const filePath = r.path === undefined ? undefined : r.inOwnFolder ? `/${OWN}/${r.path}` : r.path;
    if (r.type === 1 && filePath === undefined) return;
    const fields: Array<[string, unknown]> = [["type", r.type], ...(r.bucket === undefined ? [] : [["bucket", r.bucket] as [string, unknown]]), ...(filePath === undefined ? [] : [["file_path", filePath] as [string, unknown]])];
    const answer = await viaDoor(r.door, { svc: "cos", cmd: "get_sign", rest: "/signatures/cos" }, r.student ? S : T, fields);
    if (answer.code !== 0) {
      expectRefusedWith(answer, [
        [10003, "invalid file_path"],
        [10003, "invalid bucket"],
        [10101, "single-use signatures are only for files under your own folder."],
        [10101, "single-use signatures are only for files under your app's folder."],
      ]);
      return;
    }
    signed += 1;
    const bucket = r.bucket ?? "sxbedu";
    const path = filePath === undefined ? "" : filePath.startsWith("/") ? filePath : `/${filePath}`;
    const f = r.type === 1 ? `/${TEST_CLOUD.appId}/${bucket}${path}` : path;
    const read = readPairs(macThenPlain(answer.data.sign as string));
    expect(keysOf(read)).toEqual(["a", "k", "e", "t", "r", "f", "b"]);
    expect(Object.fromEntries(read)).toMatchObject({ a: String(TEST_CLOUD.appId), k: TEST_CLOUD.secretId, f, b: bucket });
    expect(r.type === 1 ? read[2]![1] === "0" : Number(read[2]![1]) > Number(read[3]![1])).toBe(true);
    expect(decodesToItself(f) && !hasDotSegment(f) && !CONTROL.test(f) && !f.includes("\\")).toBe(true);
    if (r.type === 1) expect(f.startsWith(`/${TEST_CLOUD.appId}/${bucket}/${r.student ? OWN : C.appid}/`)).toBe(true);
    // The emulator's COS: the file allowed (or a new one under the multi-use path) is taken; another file or bucket is not.
    const sign = answer.data.sign as string;
    if (r.type === 1) {
      if (path.endsWith("/")) return;
      expect(await v4Upload(bucket, path, sign)).toBe(0);
      expect(await v4Upload(bucket, `${path}x`, sign)).not.toBe(0);
    } else {
      expect(await v4Upload(bucket, `${path.replace(/\/$/, "")}/rt-${++unique}.bin`, sign)).toBe(0);
      expect(await v4Upload(bucket === "other" ? "sxbedu" : "other", `/rt-${++unique}.bin`, sign)).not.toBe(0);
    }
  });
  await fc.assert(property, runs(RUNS * 2)).catch(reportSeed);
  expect(signed).toBeGreaterThan(0);
});

// ---- COS v5 (cos.authorization) ----

const bucketHost = (bucket: string) => `${bucket}-${TEST_CLOUD.appId}.cos.ap-shanghai.myqcloud.com`;

function putThroughProxy(host: string, key: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(t.tencent.url);
    const path = `http://${host}/${key.split("/").map(encodeURIComponent).join("/")}`;
    const req = httpRequest({ hostname, port, method: "PUT", path, headers: { authorization } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end("x");
  });
}

test("cos.authorization: 10003 invalid key or 10101, or an authorization of exactly this method, key and bucket host, which the emulator's COS takes there only", async () => {
  let signed = 0;
  const request = fc.record({ method: fc.constantFrom("GET", "PUT", "POST", "DELETE"), inOwnFolder: fc.boolean(), key: someText });
  const property = fc.asyncProperty(request, async (r) => {
    const query = new URLSearchParams({ method: r.method, key: r.inOwnFolder ? `${OWN}/${r.key}` : r.key }).toString();
    const asked = new URLSearchParams(query).get("key")!; // what the server reads (a lone surrogate travels as U+FFFD)
    const answer = await t.rest("GET", `/cos/authorization?${query}`, { token: S });
    if (answer.status !== 200) {
      expect([[400, 10003, "invalid key"], [403, 10101, "only keys under your own folder can be authorized."]]).toContainEqual([answer.status, answer.body.errorCode, answer.body.errorInfo]);
      return;
    }
    signed += 1;
    const key = asked.startsWith("/") ? asked.slice(1) : asked;
    expect(answer.body).toMatchObject({ bucket: `sxbedu-${TEST_CLOUD.appId}`, region: "ap-shanghai", key });
    expect(key.startsWith(`${OWN}/`) && !hasDotSegment(`/${key}`) && !CONTROL.test(key) && !/[%\\]/.test(key)).toBe(true);
    const fields = readPairs(answer.body.authorization as string);
    expect(keysOf(fields)).toEqual(["q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list", "q-signature"]);
    const auth = Object.fromEntries(fields) as Record<string, string>;
    expect(auth).toMatchObject({ "q-sign-algorithm": "sha1", "q-ak": TEST_CLOUD.secretId, "q-header-list": "host", "q-url-param-list": "" });
    // The text COS rebuilds (method, path, no query, the host header), signed with the key derived from the key time.
    const httpString = `${r.method.toLowerCase()}\n/${key}\n\nhost=${encodeURIComponent(bucketHost("sxbedu"))}\n`;
    const signKey = createHmac("sha1", TEST_CLOUD.secretKey).update(auth["q-key-time"]!).digest("hex");
    const stringToSign = `sha1\n${auth["q-sign-time"]}\n${createHash("sha1").update(httpString).digest("hex")}\n`;
    expect(auth["q-signature"]).toBe(createHmac("sha1", signKey).update(stringToSign).digest("hex"));
    if (r.method === "PUT" && !key.endsWith("/")) {
      expect(await putThroughProxy(bucketHost("other"), key, answer.body.authorization as string)).toBe(403);
      expect(await putThroughProxy(bucketHost("sxbedu"), key, answer.body.authorization as string)).toBe(200);
    }
  });
  await fc.assert(property, runs()).catch(reportSeed);
  expect(signed).toBeGreaterThan(0);
});

// ---- IM userSig and the VOD upload signature (the signed identity is the user's id) ----

/** IM's reading of a userSig: its JSON document, and the signed text rebuilt from it read back as `name:value` lines. */
function readUserSig(sig: string) {
  const doc = JSON.parse(inflateSync(Buffer.from(sig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "="), "base64")).toString("utf8")) as Record<string, unknown>;
  const content = `TLS.identifier:${String(doc["TLS.identifier"])}\nTLS.sdkappid:${String(doc["TLS.sdkappid"])}\nTLS.time:${String(doc["TLS.time"])}\nTLS.expire:${String(doc["TLS.expire"])}\n`;
  const lines = content.split("\n").slice(0, -1).map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)]);
  return { doc, content, lines };
}

function expectUserSigOf(sig: string, identifier: string, app: { sdkAppId: number; secretKey: string }) {
  const { doc, content, lines } = readUserSig(sig);
  expect(doc["TLS.identifier"]).toBe(identifier);
  expect(lines.map(([name]) => name)).toEqual(["TLS.identifier", "TLS.sdkappid", "TLS.time", "TLS.expire"]);
  expect(lines[0]![1]).toBe(identifier);
  expect(lines[1]![1]).toBe(String(app.sdkAppId));
  expect(doc["TLS.sig"]).toBe(createHmac("sha256", app.secretKey).update(content).digest("base64"));
  expect(verifyUserSig(sig, app.secretKey, { identifier, sdkAppId: app.sdkAppId })).toMatchObject({ ok: true });
  expect(verifyUserSig(sig, app.secretKey, { identifier: `${identifier}x`, sdkAppId: app.sdkAppId })).toMatchObject({ ok: false });
}

test("login's userSig and vod.get_client_sign: 10003 Invalid id, or texts that read back as exactly this user of this app", async () => {
  let signed = 0;
  const property = fc.asyncProperty(fc.record({ id: someText, counterFirst: fc.boolean(), role: fc.constantFrom(0, 1) }), async (r) => {
    const id = r.counterFirst ? `${++unique}${r.id}` : `${r.id}${++unique}`;
    const common = { appid: TEST_APP.sdkAppId, timeStamp: C.timeStamp, id, pwd: "cGFzc3dvcmQ=" };
    const registered = await t.call("account", "regist", { ...common, role: r.role });
    if (registered.body.errorCode !== 0) {
      expect([registered.body.errorCode, registered.body.errorInfo]).toEqual([10003, "Invalid id"]);
      return;
    }
    signed += 1;
    const login = await t.call("account", "login", common);
    expect(login.body.errorCode).toBe(0);
    expectUserSigOf(login.body.data.userSig as string, id, TEST_APP);
    const upload = await t.call("vod", "get_client_sign", { ...C, token: login.body.data.token });
    const plain = macThenPlain(upload.body.data.sign as string);
    expect(keysOf(readPairs(plain))).toEqual(["secretId", "currentTimeStamp", "expireTime", "random", "sourceContext"]);
    const fields = [...new URLSearchParams(plain)];
    expect(keysOf(fields)).toEqual(["secretId", "currentTimeStamp", "expireTime", "random", "sourceContext"]);
    expect(Object.fromEntries(fields).sourceContext).toBe(`${TEST_APP.sdkAppId}:${id}`);
  });
  // Fewer runs: each registers a user (a password hash).
  await fc.assert(property, runs(Math.ceil(RUNS / 2))).catch(reportSeed);
  expect(signed).toBeGreaterThan(0);
});

test("the userSig signer itself, for any identifier: refuses it, or IM reads back exactly that identifier (never another line)", () => {
  const property = fc.property(someText, (identifier) => {
    let sig: string;
    try {
      sig = genUserSig({ sdkAppId: TEST_APP.sdkAppId, secretKey: TEST_APP.secretKey, identifier, expireSeconds: 600 });
    } catch {
      return;
    }
    expect(identifier).not.toMatch(/[\n\r]/);
    expectUserSigOf(sig, identifier, TEST_APP);
  });
  fc.assert(property, runs(RUNS * 2));
  expect(() => genUserSig({ sdkAppId: TEST_APP.sdkAppId, secretKey: TEST_APP.secretKey, identifier: "bob\nTLS.sdkappid:1", expireSeconds: 600 })).toThrow();
});
