import { type Agent, type IncomingHttpHeaders, request as httpRequest } from "node:http";

/**
 * HTTP/1.1 requests over connections the test controls (fetch pools its connections out of sight): by default a
 * new connection per request, its request written as soon as it connects; or an http.Agent's keep-alive ones.
 */

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The connection was an agent's, used before. */
  reusedSocket: boolean;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** A keep-alive agent; without one, a connection of its own (`Connection: close`). */
  agent?: Agent;
}

/** Resolves with the whole answer; rejects with the socket's error (ECONNRESET, ECONNREFUSED, "socket hang up"). */
export function send(url: string, options: RequestOptions = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise<Answer>((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? (body === undefined ? "GET" : "POST"), agent: options.agent ?? false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, reusedSocket: req.reusedSocket }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== undefined) req.setHeader("content-type", "application/json");
    req.end(body);
  });
}

/** The answer's outcome in one comparable string: "200 {json}" or the socket error's code. */
export function outcomeOf(result: PromiseSettledResult<Answer>): string {
  if (result.status === "fulfilled") return `${result.value.status} ${result.value.text}`;
  const error = result.reason as NodeJS.ErrnoException;
  return error.code ?? error.message;
}

/** A POST in flight: the server has read its headers (it answered `100 Continue`) and half of its body. */
export interface HalfSent {
  /** Sends the rest of the body. */
  finish(): void;
  answer: Promise<Answer>;
}

export async function sendHalf(url: string, body: unknown): Promise<HalfSent> {
  const text = JSON.stringify(body);
  const half = Math.floor(text.length / 2);
  const req = httpRequest(url, {
    method: "POST",
    agent: false,
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text), expect: "100-continue" },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on("response", (res) => {
      let received = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (received += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: received, reusedSocket: false }));
    });
    req.on("error", reject);
  });
  req.flushHeaders();
  await Promise.race([new Promise((resolve) => req.once("continue", resolve)), answer]);
  req.write(text.slice(0, half));
  return { finish: () => req.end(text.slice(half)), answer };
}
