import { connect } from "node:net";
import { C, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { capturingLogger } from "./support/logs";

/**
 * The hot door answers the heartbeat on bare node:http, before Koa (it costs less than Koa's own
 * work). Its answers must be the protocol door's to the byte: the same request sent in absolute
 * form (`POST http://host/index.php?…`, which the hot door leaves to Koa) is answered by Koa, and
 * both are compared, status, headers that matter and body, over every kind of outcome.
 */

let t: TestServer;
let T: string;
let roomnum: number;
const logs = capturingLogger("debug");

beforeAll(async () => {
  t = await startTestServer({ CORS_ORIGINS: "https://school.example" }, { log: logs.log });
  ({ T } = await signUpClassroom(t));
  roomnum = (await t.call("live", "create", { ...C, token: T, title: "hot" })).body.data.roomnum as number;
  await t.call("live", "startcourse", { ...C, token: T, roomnum });
});
afterAll(() => t.close());

interface Exchanged {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request on its own connection, written by hand: `target` is the request line's (origin or absolute form). */
function exchange(target: string, body: string, headers: Record<string, string> = {}): Promise<Exchanged> {
  const { hostname, port } = new URL(t.url);
  const lines = [`POST ${target} HTTP/1.1`, `Host: ${hostname}:${port}`, "Connection: close", `Content-Length: ${Buffer.byteLength(body)}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${lines.join("\r\n")}\r\n\r\n${body}`));
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const parsed = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(statusLine)?.[1] ?? 0), headers: parsed, body: rest.join("\r\n\r\n") });
    });
  });
}

/** What must be the same, whichever door answers (the date and a generated request id differ by nature). */
const comparable = (answer: Exchanged) => ({
  status: answer.status,
  body: answer.body,
  contentType: answer.headers["content-type"],
  allowOrigin: answer.headers["access-control-allow-origin"],
  vary: answer.headers.vary,
  requestIdGiven: answer.headers["x-request-id"] === "given-id-1" ? "given" : typeof answer.headers["x-request-id"],
});

const heartbeatPath = "/index.php?svc=live&cmd=heartbeat";

test.each([
  ["a beat", () => JSON.stringify({ ...C, token: T, roomnum }), {}],
  ["a beat from an allowed origin, with a request id", () => JSON.stringify({ ...C, token: T, roomnum }), { Origin: "https://school.example", "X-Request-Id": "given-id-1" }],
  ["from an origin not allowed", () => JSON.stringify({ ...C, token: T, roomnum }), { Origin: "https://evil.example" }],
  ["an unknown token", () => JSON.stringify({ ...C, token: "A".repeat(32), roomnum }), {}],
  ["a bad roomnum", () => JSON.stringify({ ...C, token: T, roomnum: "x" }), {}],
  ["no appid", () => JSON.stringify({ token: T, roomnum }), {}],
  ["a body that is not JSON", () => "{bad", {}],
  ["a body too deep", () => "[".repeat(20) + "]".repeat(20), {}],
  ["an unknown room", () => JSON.stringify({ ...C, token: T, roomnum: 424242 }), {}],
])("%s: the hot door answers exactly as the protocol door through Koa", async (_what, body, headers) => {
  const { hostname, port } = new URL(t.url);
  const hot = await exchange(heartbeatPath, body(), headers);
  const koa = await exchange(`http://${hostname}:${port}${heartbeatPath}`, body(), headers);
  expect(comparable(hot)).toEqual(comparable(koa));
  expect(hot.headers["content-type"]).toBe("application/json");
});

test("the live dialect's heartbeat too, on its paths", async () => {
  const { hostname, port } = new URL(t.url);
  const body = JSON.stringify({ token: T, roomnum: -1, role: 0 });
  const hot = await exchange("/sxb_dev/index.php?svc=live&cmd=heartbeat", body);
  const koa = await exchange(`http://${hostname}:${port}/sxb_dev/index.php?svc=live&cmd=heartbeat`, body);
  expect(comparable(hot)).toEqual(comparable(koa));
  expect(JSON.parse(hot.body)).toEqual({ errorCode: 0, errorInfo: "" });
});

test("a body larger than the limit: 10002 and the connection closed after the answer, on both", async () => {
  const big = JSON.stringify({ ...C, token: T, roomnum, pad: "x".repeat(1_100_000) });
  const { hostname, port } = new URL(t.url);
  for (const target of [heartbeatPath, `http://${hostname}:${port}${heartbeatPath}`]) {
    const answer = await exchange(target, big);
    expect({ status: answer.status, body: JSON.parse(answer.body) as unknown, connection: answer.headers.connection }).toEqual({
      status: 200,
      body: { errorCode: 10002, errorInfo: "Request body too large" },
      connection: "close",
    });
  }
});

test("its access line is the protocol door's, at debug (the heartbeat is quiet)", async () => {
  logs.lines.length = 0;
  await exchange(heartbeatPath, JSON.stringify({ ...C, token: T, roomnum }), { "X-Request-Id": "line-check" });
  expect(logs.lines.find((l) => l.requestId === "line-check")).toMatchObject({ level: 20, msg: "request", method: "POST", path: "/index.php", command: "live.heartbeat", status: 200, errorCode: 0 });
});
