import type { IncomingMessage } from "node:http";

/**
 * The client's address: behind a trusted proxy (TRUST_PROXY), the one the nearest proxy appended to
 * X-Forwarded-For (the last entry: earlier ones a client may have written itself); else the TCP
 * peer's. Koa's `ctx.ip` with `maxIpsCount: 1` reads the same; every door uses this one.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers["x-forwarded-for"] : undefined;
  const last = typeof forwarded === "string" ? forwarded.slice(forwarded.lastIndexOf(",") + 1).trim() : "";
  return last || req.socket.remoteAddress || "";
}
