import { randomInt } from "node:crypto";
import type { SdkApp } from "../../config";
import { genUserSig } from "./usersig";

/**
 * Tencent IM REST client (group messages only, for now). Base URL, timeout and the
 * apps' admin identities come from configuration; the admin userSig is generated
 * here, cached, and never logged.
 */

export class ImError extends Error {
  constructor(
    message: string,
    readonly imErrorCode?: number,
  ) {
    super(message);
    this.name = "ImError";
  }
}

export interface ImClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Attempts per message on network failure; the same Random makes retries idempotent. */
  attempts?: number;
}

/** Class boundary markers posted into the class's group (protocol.md §7.1). */
export const ClassMarker = { start: 1001, end: 1002, memberEntered: 1003 } as const;
export type ClassMarkerType = (typeof ClassMarker)[keyof typeof ClassMarker];

const ADMIN_SIG_LIFETIME_S = 86400;

export class ImClient {
  private readonly adminSigs = new Map<number, { sig: string; renewAt: number }>();

  constructor(private readonly options: ImClientOptions) {}

  /** Posts a class marker `{type, seq, timestamp, value}` and returns the group MsgSeq Tencent assigned. */
  async sendClassMarker(app: SdkApp, groupId: string, marker: { type: ClassMarkerType; timestamp: number; value: Record<string, unknown> }): Promise<number> {
    const data = JSON.stringify({ type: marker.type, seq: randomInt(10000, 100000001), timestamp: marker.timestamp, value: marker.value });
    const body = {
      GroupId: groupId,
      From_Account: app.admin,
      Random: randomInt(0, 4294967296),
      MsgBody: [{ MsgType: "TIMCustomElem", MsgContent: { Data: data } }],
    };
    const reply = await this.call(app, "group_open_http_svc/send_group_msg", body);
    const seq = reply.MsgSeq;
    if (typeof seq !== "number" || !Number.isInteger(seq)) throw new ImError("send_group_msg: no MsgSeq in reply");
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

  private async call(app: SdkApp, command: string, body: unknown): Promise<Record<string, unknown>> {
    const attempts = this.options.attempts ?? 2;
    const payload = JSON.stringify(body);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const query = new URLSearchParams({
        sdkappid: String(app.sdkAppId),
        identifier: app.admin,
        usersig: this.adminSig(app),
        random: String(randomInt(0, 4294967296)),
        contenttype: "json",
      });
      let response: Response;
      try {
        response = await fetch(`${this.options.baseUrl}/v4/${command}?${query.toString()}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: payload,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
      } catch (error) {
        lastError = error;
        continue; // network failure or timeout: retry with the same body (same Random)
      }
      if (response.status >= 500) {
        lastError = new ImError(`${command}: HTTP ${response.status}`);
        await response.body?.cancel();
        continue;
      }
      let reply: unknown;
      try {
        reply = await response.json();
      } catch {
        throw new ImError(`${command}: reply is not JSON (HTTP ${response.status})`);
      }
      if (typeof reply !== "object" || reply === null) throw new ImError(`${command}: reply is not an object`);
      const result = reply as Record<string, unknown>;
      if (result.ActionStatus !== "OK" || result.ErrorCode !== 0) {
        const code = typeof result.ErrorCode === "number" ? result.ErrorCode : undefined;
        throw new ImError(`${command}: ErrorCode ${String(result.ErrorCode)} ${typeof result.ErrorInfo === "string" ? result.ErrorInfo : ""}`, code);
      }
      return result;
    }
    throw new ImError(`${command}: ${lastError instanceof Error ? lastError.message : "request failed"}`);
  }
}
