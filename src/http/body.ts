import type { IncomingMessage } from "node:http";
import { AppError, Errors } from "../errors";

/**
 * The raw request body as JSON, whatever the Content-Type says (apps send json,
 * text/plain, form-urlencoded, octet-stream or nothing). Empty → {}; malformed
 * JSON, `null` or nesting deeper than 12 → 10002 (protocol.md §1.2).
 */

const MAX_DEPTH = 12;

/** A body being read: until when (ms), what happens then, and where it sits in the pending list. */
interface Deadline {
  at: number;
  expire: () => void;
  slot: number;
}

/**
 * Deadlines of the bodies being read, checked by one shared timer: a timer per request would
 * cost the heartbeat more than the read itself. An array with swap-removal, not a Set: a Set
 * that churns rebuilds its table every few dozen requests, and V8 keeps each discarded table
 * linked to the next, still holding its entries, so every request's objects reachable from a
 * long-lived Set outlived the young generation (seen in a heap profile of the objects promoted
 * under the fleet benchmark).
 */
class Deadlines {
  private readonly pending: Deadline[] = [];
  private sweeper: NodeJS.Timeout | undefined;

  add(at: number, expire: () => void): Deadline {
    const entry = { at, expire, slot: this.pending.length };
    this.pending.push(entry);
    this.sweeper ??= setInterval(() => this.sweep(), DEADLINE_CHECK_MS).unref();
    return entry;
  }

  /** Takes `entry` out (once; removing it again does nothing). */
  remove(entry: Deadline): void {
    const { pending } = this;
    if (pending[entry.slot] !== entry) return;
    const last = pending.pop()!;
    if (last !== entry) {
      pending[entry.slot] = last;
      last.slot = entry.slot;
    }
    entry.slot = -1;
  }

  private sweep(): void {
    const now = Date.now();
    // Backwards: a removal moves the last entry into the slot just read.
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const entry = this.pending[i];
      if (entry === undefined || entry.at > now) continue;
      this.remove(entry);
      entry.expire();
    }
    if (this.pending.length === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}

/** How often body deadlines are checked: a slow body is answered at most this late. */
const DEADLINE_CHECK_MS = 100;
const bodyDeadlines = new Deadlines();

/** A body refused while it was read (too large, too slow, broken): its connection must close after the answer. */
export class BodyRefused extends AppError {}

const refused = (error: AppError) => new BodyRefused(error.code, error.info, error.kind, error.data);

/**
 * The body as UTF-8 text, at most `limitBytes`, within `timeoutMs` (a plain stream read:
 * this is the hot path). A body that is too large or too slow (a Content-Length larger
 * than what is sent, a dribble) is refused (BodyRefused), and the connection is to close after the answer.
 */
export function readRawBody(req: IncomingMessage, limitBytes: number, timeoutMs: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? -1);
  if (declared > limitBytes) return Promise.reject(refused(Errors.bodyTooLarge()));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (error: AppError) => {
      bodyDeadlines.remove(timer);
      req.removeAllListeners("data");
      req.resume();
      reject(refused(error));
    };
    const timer = bodyDeadlines.add(Date.now() + timeoutMs, () => refuse(Errors.bodyTimeout()));
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) return refuse(Errors.bodyTooLarge());
      chunks.push(chunk);
    });
    // `on`, not `once`: each fires once anyway, and `once` wraps every listener (the hot path).
    req.on("end", () => {
      bodyDeadlines.remove(timer);
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", () => refuse(Errors.requestJson()));
  });
}

/** Nesting can only exceed `max` with more than `max` brackets: most bodies skip the walk. */
function mayNestDeeperThan(text: string, max: number): boolean {
  return occurrences(text, "{", max) + occurrences(text, "[", max) > max;
}

/** How often `char` occurs in `text`, counted up to just past `max` (a native search, not a walk over each character). */
function occurrences(text: string, char: string, max: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at >= 0 && count <= max; at = text.indexOf(char, at + 1)) count++;
  return count;
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
