import { randomInt } from "node:crypto";
import type { SdkApp } from "../../config";
import { HttpsPoster, PostFailed, type PostReply } from "./https-post";
import { AdminSigs } from "./usersig";
import { type CallObserver, type CallOutcome, observed } from "./call-observer";

/**
 * The transport of Tencent IM's REST API (and of the services built the same way, such as
 * the replay index service): `POST {base}/v4/<service>/<command>?sdkappid&identifier&usersig
 * &random&contenttype=json` with a JSON body, answered `{ActionStatus, ErrorCode, ErrorInfo, …}`.
 * The admin userSig is generated here, cached, and never logged. Each call is sent once,
 * never resent blindly: a timeout or a dropped answer is an unknown outcome.
 */

/** "refused": the service answered an error, nothing was done. "unknown": it may have been done. */
export type ImOutcome = "refused" | "unknown";

export class ImError extends Error {
  constructor(
    message: string,
    readonly outcome: ImOutcome,
    readonly imErrorCode?: number,
    /** The service's ErrorInfo, when it answered one. */
    readonly imErrorInfo = "",
  ) {
    super(message);
    this.name = "ImError";
  }
}

export interface ImRestOptions {
  baseUrl: string;
  /** One attempt's whole budget (connect, send, answer). */
  timeoutMs: number;
  /** Told of every call. */
  observe?: CallObserver;
}

/** Tencent answered an error code, or no usable answer came. */
const imOutcomeOf = (error: unknown): CallOutcome => (error instanceof ImError && error.imErrorCode !== undefined ? "error" : "unanswered");

export class ImRest {
  private readonly adminSigs = new AdminSigs();
  /** Kept connections, read by node:http directly (fetch cost a millisecond of CPU a call). */
  private readonly poster = new HttpsPoster();

  constructor(private readonly options: ImRestOptions) {}

  /** Sends once and reads the answer; throws ImError unless it is `ActionStatus: "OK"`, `ErrorCode: 0`. */
  call(app: SdkApp, command: string, body: unknown): Promise<Record<string, unknown>> {
    return observed(this.options.observe, imOutcomeOf, () => this.callOnce(app, command, body));
  }

  private async callOnce(app: SdkApp, command: string, body: unknown): Promise<Record<string, unknown>> {
    let response: PostReply;
    try {
      response = await this.post(app, command, JSON.stringify(body));
    } catch (error) {
      const sent = !(error instanceof PostFailed) || error.mayHaveArrived;
      throw new ImError(`${command}: ${error instanceof Error ? error.message : "request failed"}`, sent ? "unknown" : "refused");
    }
    let reply: unknown;
    try {
      reply = JSON.parse(response.text);
    } catch {
      throw new ImError(`${command}: reply is not JSON (HTTP ${response.status})`, "unknown");
    }
    if (typeof reply !== "object" || reply === null) throw new ImError(`${command}: reply is not an object`, "unknown");
    const result = reply as Record<string, unknown>;
    if (result.ActionStatus !== "OK" || result.ErrorCode !== 0) {
      const code = typeof result.ErrorCode === "number" ? result.ErrorCode : undefined;
      const info = typeof result.ErrorInfo === "string" ? result.ErrorInfo : "";
      throw new ImError(`${command}: ErrorCode ${String(result.ErrorCode)} ${info}`, "refused", code, info);
    }
    return result;
  }

  private async post(app: SdkApp, command: string, payload: string): Promise<PostReply> {
    const query = new URLSearchParams({
      sdkappid: String(app.sdkAppId),
      identifier: app.admin,
      usersig: this.adminSigs.of(app),
      random: String(randomInt(0, 4294967296)),
      contenttype: "json",
    });
    return this.poster.post(new URL(`${this.options.baseUrl}/v4/${command}?${query.toString()}`), payload, "application/json", this.options.timeoutMs);
  }

  close(): void {
    this.poster.close();
  }
}
