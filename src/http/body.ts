import type { Context } from "koa";
import { AppError, ErrorCode, Errors } from "../errors";

/**
 * The raw request body as JSON, whatever the Content-Type says (apps send json,
 * text/plain, form-urlencoded, octet-stream or nothing). Empty → {}; malformed
 * JSON, `null` or nesting deeper than 12 → 10002 (protocol.md §1.2).
 */

const MAX_DEPTH = 12;

export class BodyTooLargeError extends AppError {
  constructor() {
    super(ErrorCode.requestJson, "Request body too large");
  }
}

/** The body as UTF-8 text, at most `limitBytes` (a plain stream read: this is the hot path). */
export function readRawBody(ctx: Context, limitBytes: number): Promise<string> {
  const req = ctx.req;
  const declared = Number(req.headers["content-length"] ?? -1);
  if (declared > limitBytes) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    req.once("error", () => reject(Errors.requestJson()));
  });
}

/** Nesting can only exceed `max` with more than `max` brackets: most bodies skip the walk. */
function mayNestDeeperThan(text: string, max: number): boolean {
  let opens = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c === 0x7b || c === 0x5b) && ++opens > max) return true;
  }
  return false;
}

function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Parses a body; anything valid but not an object reads as {} (every field then "Lack of …"). */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw Errors.requestJson();
  }
  if (value === null || (mayNestDeeperThan(text, MAX_DEPTH) && depthExceeds(value, MAX_DEPTH))) throw Errors.requestJson();
  if (typeof value !== "object" || Array.isArray(value)) return {};
  return value as Record<string, unknown>;
}
