import { randomInt } from "node:crypto";
import type { SdkApp } from "../../config";
import { genUserSig } from "./usersig";

/**
 * Tencent IM REST client (group messages only, for now). Base URL, timeout and the apps'
 * admin identities come from configuration; the admin userSig is generated here, cached,
 * and never logged.
 *
 * A group message is not idempotent by itself, so each call sends it once, never resending
 * blindly. A timeout or a dropped answer is an unknown outcome (it may have been posted):
 * the caller may try again later with the same message, whose same `Random` IM then
 * keeps as one (IM treats the same Random within five minutes as the same message).
 */

/** "refused": IM answered an error, nothing was posted. "unknown": it may have been posted. */
export type ImOutcome = "refused" | "unknown";

export class ImError extends Error {
  constructor(
    message: string,
    readonly outcome: ImOutcome,
    readonly imErrorCode?: number,
  ) {
    super(message);
    this.name = "ImError";
  }
}

export interface ImClientOptions {
  baseUrl: string;
  /** One attempt's whole budget (connect, send, answer). */
  timeoutMs: number;
}

/** Class boundary markers posted into the class's group (protocol.md §7.1). */
export const ClassMarker = { start: 1001, end: 1002, memberEntered: 1003 } as const;
export type ClassMarkerType = (typeof ClassMarker)[keyof typeof ClassMarker];

/** A group message ready to send: its Random and its custom element's Data. */
export interface GroupCustomMessage {
  random: number;
  data: string;
}

/** A class marker as IM carries it: Data `{type, seq, timestamp, value}` (keys in this order), a fresh Random. */
export function classMarkerMessage(marker: { type: ClassMarkerType; timestamp: number; value: Record<string, unknown> }): GroupCustomMessage {
  const data = JSON.stringify({ type: marker.type, seq: randomInt(10000, 100000001), timestamp: marker.timestamp, value: marker.value });
  return { random: randomInt(0, 4294967296), data };
}

const ADMIN_SIG_LIFETIME_S = 86400;
/** Errors fetch reports when no connection was made: the request never left. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

const notSent = (error: unknown): boolean => {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === "string" && NOT_SENT_CODES.has(code);
};

export class ImClient {
  private readonly adminSigs = new Map<number, { sig: string; renewAt: number }>();

  constructor(private readonly options: ImClientOptions) {}

  /** Posts a custom group message and returns the group MsgSeq IM assigned. */
  async sendGroupCustomMessage(app: SdkApp, groupId: string, message: GroupCustomMessage): Promise<number> {
    const body = {
      GroupId: groupId,
      From_Account: app.admin,
      Random: message.random,
      MsgBody: [{ MsgType: "TIMCustomElem", MsgContent: { Data: message.data } }],
    };
    const reply = await this.call(app, "group_open_http_svc/send_group_msg", body);
    const seq = reply.MsgSeq;
    if (typeof seq !== "number" || !Number.isInteger(seq)) throw new ImError("send_group_msg: no MsgSeq in reply", "unknown");
    return seq;
  }

  private adminSig(app: SdkApp): string {
    const now = Date.now();
    const cached = this.adminSigs.get(app.sdkAppId);
    if (cached && cached.renewAt > now) return cached.sig;
    const sig = genUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: app.admin, expireSeconds: ADMIN_SIG_LIFETIME_S });
    this.adminSigs.set(app.sdkAppId, { sig, renewAt: now + (ADMIN_SIG_LIFETIME_S * 1000) / 2 });
    return sig;
  }

  private async post(app: SdkApp, command: string, payload: string): Promise<Response> {
    const query = new URLSearchParams({
      sdkappid: String(app.sdkAppId),
      identifier: app.admin,
      usersig: this.adminSig(app),
      random: String(randomInt(0, 4294967296)),
      contenttype: "json",
    });
    return fetch(`${this.options.baseUrl}/v4/${command}?${query.toString()}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: payload,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
  }

  /** Sends once and reads IM's answer. */
  private async call(app: SdkApp, command: string, body: unknown): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await this.post(app, command, JSON.stringify(body));
    } catch (error) {
      throw new ImError(`${command}: ${error instanceof Error ? error.message : "request failed"}`, notSent(error) ? "refused" : "unknown");
    }
    let reply: unknown;
    try {
      reply = await response.json();
    } catch {
      throw new ImError(`${command}: reply is not JSON (HTTP ${response.status})`, "unknown");
    }
    if (typeof reply !== "object" || reply === null) throw new ImError(`${command}: reply is not an object`, "unknown");
    const result = reply as Record<string, unknown>;
    if (result.ActionStatus !== "OK" || result.ErrorCode !== 0) {
      const code = typeof result.ErrorCode === "number" ? result.ErrorCode : undefined;
      const info = typeof result.ErrorInfo === "string" ? result.ErrorInfo : "";
      throw new ImError(`${command}: ErrorCode ${String(result.ErrorCode)} ${info}`, "refused", code);
    }
    return result;
  }
}
