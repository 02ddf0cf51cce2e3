import getRawBody from "raw-body";
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

export async function readRawBody(ctx: Context, limitBytes: number): Promise<string> {
  try {
    return await getRawBody(ctx.req, { limit: limitBytes, encoding: "utf8" });
  } catch (error) {
    if ((error as { type?: string }).type === "entity.too.large") throw new BodyTooLargeError();
    throw Errors.requestJson();
  }
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
  if (value === null || depthExceeds(value, MAX_DEPTH)) throw Errors.requestJson();
  if (typeof value !== "object" || Array.isArray(value)) return {};
  return value as Record<string, unknown>;
}
