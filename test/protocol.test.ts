import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import pino from "pino";
import { C, startTestServer, type TestServer } from "./support/harness";
import { sql } from "./support/env";

/**
 * The transport of the app protocol (protocol.md "Transport and envelope", §1, §16):
 * routing from the query string, the raw body as JSON under any Content-Type, the
 * envelope, CORS, body limits and the last-resort error answer. Real server, real stores.
 */

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One HTTP request with full control over method, path, headers and body bytes (no implicit Content-Type). */
function raw(base: string, method: string, path: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(options.headers ?? {}) };
    if (options.body !== undefined) headers["content-length"] = Buffer.byteLength(options.body);
    const req = httpRequest(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const REGIST = "/index.php?svc=account&cmd=regist";
const INVALID_REQUEST = { errorCode: 10001, errorInfo: "Invalid request." };
const JSON_ERROR = { errorCode: 10002, errorInfo: "HTTP Request Json Parse Error" };
const LACK_APPID = { errorCode: 10003, errorInfo: "Lack of appid" };
const OK = { errorCode: 0, errorInfo: "" };
/** The media type; the exact header value is checked once, in "answer format". */
const JSON_TYPE = /^application\/json(;|$)/;

const registBody = (id: string) => ({ ...C, id, pwd: "cGFzc3dvcmQ=", role: 0 });
const accountRows = (id: string) => sql(`SELECT uin FROM "Account" WHERE uid = $1`, [id]);

/** `n` nested arrays: nested(2) = "[[]]". */
const nested = (n: number) => "[".repeat(n) + "]".repeat(n);

describe("routing", () => {
  test("GET /index.php without svc/cmd → 10001", async () => {
    const answer = await raw(t.url, "GET", "/index.php");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(INVALID_REQUEST);
  });

  test.each([
    ["svc=account&cmd=nope"],
    ["svc=account"],
    ["cmd=regist"],
    ["svc=Account&cmd=regist"],
    ["svc=account&cmd=Regist"],
    ["svc=account&cmd=login%20"],
    ["svc[]=account&cmd=regist"],
    ["svc=account&cmd[]=regist"],
    ["svc=account&svc=account&cmd=regist"],
  ])("query %s → 10001, nothing runs", async (query) => {
    const answer = await raw(t.url, "POST", `/index.php?${query}`, {
      body: JSON.stringify(registBody("routing-victim")),
      headers: { "content-type": "application/json" },
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(INVALID_REQUEST);
    expect(await accountRows("routing-victim")).toHaveLength(0);
  });

  test.each([
    ["/index.php", "path-a"],
    ["/sxb/index.php", "path-b"],
    ["/", "path-c"],
    ["/sxb/", "path-d"],
    ["/sxb_dev/index.php", "path-e"],
    ["/sxb_new/", "path-f"],
  ])("path %s routes to account.regist", async (path, id) => {
    const answer = await t.call("account", "regist", registBody(id), { path });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(OK);
    expect(await accountRows(id)).toHaveLength(1);
  });

  test("an unrelated path answers 404 with the 10001 envelope and runs nothing", async () => {
    const answer = await raw(t.url, "POST", "/foo?svc=account&cmd=regist", {
      body: JSON.stringify(registBody("path-foo")),
      headers: { "content-type": "application/json" },
    });
    expect(answer.status).toBe(404);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(answer.text)).toEqual(INVALID_REQUEST);
    expect(await accountRows("path-foo")).toHaveLength(0);
  });

  test("svc/cmd sent only in the body → 10001", async () => {
    const form = await raw(t.url, "POST", "/index.php", {
      body: "svc=account&cmd=regist",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(JSON.parse(form.text)).toEqual(INVALID_REQUEST);
    const json = await raw(t.url, "POST", "/index.php", {
      body: JSON.stringify({ svc: "account", cmd: "regist", ...registBody("body-routed") }),
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toEqual(INVALID_REQUEST);
    expect(await accountRows("body-routed")).toHaveLength(0);
  });
});

describe("body parsing", () => {
  test.each([["not json"], ["{bad"], ["null"], ["{\"appid\":1400000001,}"], ["svc=account&cmd=regist"]])("body %j → 10002", async (body) => {
    const answer = await t.call("account", "regist", undefined, { raw: body });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(JSON_ERROR);
  });

  test.each([["[]"], ["5"], ['"str"'], ["true"], ["false"], ["0"], [""], ["   "], [nested(12)]])("body %j → Lack of appid", async (body) => {
    const answer = await t.call("account", "regist", undefined, { raw: body });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(LACK_APPID);
  });

  test("a bare nesting of 13 arrays → 10002", async () => {
    expect((await t.call("account", "regist", undefined, { raw: nested(13) })).body).toEqual(JSON_ERROR);
  });

  test("12 levels in total (outer object included) are accepted", async () => {
    const body = JSON.stringify(registBody("deep-12")).replace(/}$/, `,"extra":${nested(11)}}`);
    const answer = await t.call("account", "regist", undefined, { raw: body });
    expect(answer.body).toEqual(OK);
    expect(await accountRows("deep-12")).toHaveLength(1);
  });

  test("13 levels in total (outer object included) → 10002 and nothing runs", async () => {
    const body = JSON.stringify(registBody("deep-13")).replace(/}$/, `,"extra":${nested(12)}}`);
    const answer = await t.call("account", "regist", undefined, { raw: body });
    expect(answer.body).toEqual(JSON_ERROR);
    expect(await accountRows("deep-13")).toHaveLength(0);
  });

  test("depth counts objects as well as arrays", async () => {
    const objects = (n: number): string => (n === 0 ? "1" : `{"a":${objects(n - 1)}}`);
    const ok = JSON.stringify(registBody("deep-obj-12")).replace(/}$/, `,"extra":${objects(11)}}`);
    expect((await t.call("account", "regist", undefined, { raw: ok })).body).toEqual(OK);
    const tooDeep = JSON.stringify(registBody("deep-obj-13")).replace(/}$/, `,"extra":${objects(12)}}`);
    expect((await t.call("account", "regist", undefined, { raw: tooDeep })).body).toEqual(JSON_ERROR);
    expect(await accountRows("deep-obj-13")).toHaveLength(0);
  });

  test("POST with an empty body → Lack of appid", async () => {
    const answer = await raw(t.url, "POST", "/index.php?svc=account&cmd=login", { body: "" });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(LACK_APPID);
  });

  test("GET with no body → Lack of appid", async () => {
    const answer = await t.call("account", "login", undefined, { method: "GET", contentType: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(LACK_APPID);
  });

  test("any HTTP method is accepted", async () => {
    const answer = await raw(t.url, "PUT", REGIST, { body: JSON.stringify(registBody("method-put")) });
    expect(JSON.parse(answer.text)).toEqual(OK);
    expect(await accountRows("method-put")).toHaveLength(1);
  });

  test.each([
    ["application/json", "ct-json"],
    ["application/json; charset=utf-8", "ct-json-utf8"],
    ["text/plain", "ct-text"],
    ["application/x-www-form-urlencoded", "ct-form"],
    ["application/octet-stream", "ct-octet"],
    [null, "ct-none"],
  ])("Content-Type %s: the body is read as JSON", async (contentType, id) => {
    const headers: Record<string, string> = contentType === null ? {} : { "content-type": contentType };
    const answer = await raw(t.url, "POST", REGIST, { body: JSON.stringify(registBody(id)), headers });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(OK);
    expect(await accountRows(id)).toHaveLength(1);
  });
});

describe("answer format", () => {
  test("HTTP 200, application/json, CORS *, keys errorCode then errorInfo", async () => {
    const answer = await raw(t.url, "POST", REGIST, { body: JSON.stringify(registBody("format-1")) });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(JSON_TYPE);
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    expect(answer.text).toBe('{"errorCode":0,"errorInfo":""}');
    const error = await raw(t.url, "POST", REGIST, { body: JSON.stringify(registBody("format-1")) });
    expect(error.status).toBe(200);
    expect(error.headers["content-type"]).toMatch(JSON_TYPE);
    expect(error.headers["access-control-allow-origin"]).toBe("*");
    expect(error.text).toBe('{"errorCode":10004,"errorInfo":"Register user id existed"}');
  });

  test("Content-Type is exactly application/json, no charset (§1.3, KEEP)", async () => {
    const success = await raw(t.url, "POST", REGIST, { body: JSON.stringify(registBody("format-2")) });
    expect(JSON.parse(success.text)).toEqual(OK);
    expect(success.headers["content-type"]).toBe("application/json");
    const failure = await raw(t.url, "GET", "/index.php");
    expect(failure.headers["content-type"]).toBe("application/json");
  });

  test("error answers carry CORS * too", async () => {
    const answer = await raw(t.url, "GET", "/index.php", { headers: { origin: "https://web.example" } });
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    expect(answer.headers["content-type"]).toMatch(JSON_TYPE);
  });

  test("data comes after errorCode and errorInfo", async () => {
    await t.call("account", "regist", registBody("format-login"));
    const answer = await t.call("account", "login", { ...C, id: "format-login", pwd: "cGFzc3dvcmQ=" });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(JSON_TYPE);
    expect(answer.text).toMatch(/^\{"errorCode":0,"errorInfo":"","data":\{"userSig":"[^"]+","token":"[^"]+","role":0\}\}$/);
  });
});

describe("CORS preflight", () => {
  test("OPTIONS answers 204 with CORS headers and runs no command", async () => {
    const answer = await raw(t.url, "OPTIONS", REGIST, {
      body: JSON.stringify(registBody("preflight")),
      headers: {
        origin: "https://web.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
        "content-type": "application/json",
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe("");
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    expect(answer.headers["access-control-allow-methods"]).toMatch(/\bPOST\b/);
    expect(answer.headers["access-control-allow-headers"]?.toLowerCase()).toContain("content-type");
    expect(await accountRows("preflight")).toHaveLength(0);
  });
});

describe("a configured list of CORS origins", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ CORS_ORIGINS: "https://a.example, https://b.example" });
  });
  afterAll(() => s.close());

  test("an allowed origin is echoed", async () => {
    for (const origin of ["https://a.example", "https://b.example"]) {
      const answer = await raw(s.url, "POST", REGIST, { body: "{}", headers: { origin } });
      expect(JSON.parse(answer.text)).toEqual(LACK_APPID);
      expect(answer.headers["access-control-allow-origin"]).toBe(origin);
      expect(answer.headers.vary).toMatch(/origin/i);
    }
  });

  test("another origin, or none, gets no Access-Control-Allow-Origin", async () => {
    const other = await raw(s.url, "POST", REGIST, { body: "{}", headers: { origin: "https://evil.example" } });
    expect(JSON.parse(other.text)).toEqual(LACK_APPID);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const none = await raw(s.url, "POST", REGIST, { body: "{}" });
    expect(none.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test("a preflight from an allowed origin echoes it", async () => {
    const answer = await raw(s.url, "OPTIONS", REGIST, { headers: { origin: "https://a.example", "access-control-request-method": "POST" } });
    expect(answer.status).toBe(204);
    expect(answer.headers["access-control-allow-origin"]).toBe("https://a.example");
  });
});

describe("body size limit", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ BODY_LIMIT_BYTES: "2048" });
  });
  afterAll(() => s.close());

  test("a body over BODY_LIMIT_BYTES → the envelope's HTTP 200 with 10002, and the server keeps serving", async () => {
    const big = JSON.stringify({ ...registBody("too-big"), pad: "x".repeat(4096) });
    const answer = await raw(s.url, "POST", REGIST, { body: big, headers: { "content-type": "application/json" } });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(JSON_TYPE);
    expect(JSON.parse(answer.text)).toEqual({ errorCode: 10002, errorInfo: "Request body too large" });
    expect(await accountRows("too-big")).toHaveLength(0);

    const next = await s.call("account", "regist", registBody("after-big"));
    expect(next.status).toBe(200);
    expect(next.body).toEqual(OK);
    expect(await accountRows("after-big")).toHaveLength(1);
  });

  test("a body just under the limit is accepted", async () => {
    const base = JSON.stringify({ ...registBody("fits"), pad: "" });
    const body = base.replace('"pad":""', `"pad":"${"x".repeat(2048 - base.length)}"`);
    expect(Buffer.byteLength(body)).toBe(2048);
    const answer = await raw(s.url, "POST", REGIST, { body });
    expect(JSON.parse(answer.text)).toEqual(OK);
  });
});

describe("unexpected failures", () => {
  test("answer 90000 without internals, and are logged at error level with the request id", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    };
    const log = pino({ level: "info" }, stream);
    const s = await startTestServer({}, { log });
    try {
      expect((await s.call("account", "regist", registBody("redis-victim"))).body).toEqual(OK);
      s.server.redis.disconnect();
      const answer = await s.call("account", "login", { ...C, id: "redis-victim", pwd: "cGFzc3dvcmQ=" });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-type")).toMatch(JSON_TYPE);
      expect(answer.text).toBe('{"errorCode":90000,"errorInfo":"Server inner error"}');
      expect(answer.text).not.toMatch(/stack|Error:|\bat\s/);

      const requestId = answer.headers.get("x-request-id");
      expect(requestId).toBeTruthy();
      const failures = lines.filter((l) => l.requestId === requestId);
      expect(failures).toHaveLength(1);
      const [entry] = failures;
      expect(entry!.level).toBe(50);
      expect(entry!.errorCode).toBe(90000);
      expect(entry!.command).toBe("account.login");
      const err = entry!.err as { message?: string; stack?: string } | undefined;
      expect(err).toBeDefined();
      expect(typeof err!.message).toBe("string");
      expect(err!.stack).toBeTruthy();
      // Passwords and bodies never reach the log.
      expect(JSON.stringify(lines)).not.toContain("cGFzc3dvcmQ=");
    } finally {
      await s.close();
    }
  });
});

describe("HTTP edges: every answer is the JSON envelope", () => {
  let s: TestServer;
  beforeAll(async () => {
    // The body timeout leaves room for a busy machine: a read that completes must never be taken for a stalled one.
    s = await startTestServer({ BODY_TIMEOUT_MS: "1500", BODY_LIMIT_BYTES: "2048" });
  });
  afterAll(() => s.close());

  /** Writes raw bytes to the server and reads until it closes the connection. */
  function rawExchange(bytes: string): Promise<{ status: number; headers: string; body: string }> {
    const { hostname, port } = new URL(s.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(bytes));
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      socket.on("error", reject);
      socket.on("close", () => {
        const [head = "", body = ""] = text.split("\r\n\r\n");
        resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), headers: head, body });
      });
    });
  }

  test("a Content-Length larger than the body: the protocol answers 10002 once the body timeout runs out", async () => {
    const answer = await rawExchange(`POST ${REGIST} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"appid":`);
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.body)).toEqual({ errorCode: 10002, errorInfo: "Request body timed out" });
  });

  test("bodies that complete while stalled ones wait: each stalled one times out, each completed one is answered", async () => {
    // Stalled and completing reads interleaved: every completed read leaves the deadlines in
    // between, and the stalled reads registered around it must all still run out.
    const { hostname, port } = new URL(s.url);
    const open = (firstPart: string) => {
      const socket = connect(Number(port), hostname, () => socket.write(`POST ${REGIST} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n${firstPart}`));
      const answer = new Promise<unknown>((resolve, reject) => {
        let text = "";
        socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
        socket.on("error", reject);
        socket.on("close", () => {
          const [head = "", body = "null"] = text.split("\r\n\r\n");
          // Our own body timer answers 200 with the envelope; Node's request timeout, later, a 408.
          resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), body: JSON.parse(body) as unknown });
        });
      });
      return { socket, answer };
    };
    const reads = Array.from({ length: 6 }, (_, i) => ({ stalled: i % 2 === 0, ...open("{") }));
    await new Promise((r) => setTimeout(r, 60));
    for (const read of reads) if (!read.stalled) read.socket.write("}");
    const answers = await Promise.all(reads.map((read) => read.answer));
    reads.forEach((read, i) => {
      if (read.stalled) expect(answers[i]).toEqual({ status: 200, body: { errorCode: 10002, errorInfo: "Request body timed out" } });
      else expect(answers[i]).toEqual({ status: 200, body: LACK_APPID });
    });
  });

  test("a REST body that never completes: 408 with the same text", async () => {
    const answer = await rawExchange(`POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":`);
    expect(answer.status).toBe(408);
    expect(JSON.parse(answer.body)).toEqual({ errorCode: 10002, errorInfo: "Request body timed out" });
  });

  test("oversized headers → 431 with a JSON envelope", async () => {
    const answer = await rawExchange(`GET ${REGIST} HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20000)}\r\n\r\n`);
    expect(answer.status).toBe(431);
    expect(answer.headers).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.body)).toEqual({ errorCode: 10002, errorInfo: "Request headers too large" });
  });

  test.each([
    ["a bad Content-Length", `POST ${REGIST} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}`],
    ["a bad chunk size", `POST ${REGIST} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
  ])("%s → 400 with a JSON envelope", async (_name, bytes) => {
    const answer = await rawExchange(bytes);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ errorCode: 10002, errorInfo: "Malformed HTTP request" });
  });

  test("a REST body over the limit → 413 with the table's text", async () => {
    const answer = await s.rest("POST", "/accounts", { raw: JSON.stringify({ id: "x", pad: "y".repeat(4096) }) });
    expect(answer).toEqual({ status: 413, body: { errorCode: 10002, errorInfo: "Request body too large" } });
  });

  test("the server keeps serving after all of these", async () => {
    expect((await s.call("account", "regist", registBody("after-edges"))).body).toEqual(OK);
  });
});
