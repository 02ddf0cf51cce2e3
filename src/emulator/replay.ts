import { createHash } from "node:crypto";
import type { EmulatorReply } from "./http";
import { checkRestQuery, type EmulatedApp, fail, failureReply, ImFailure, type ImEmulator, parseRestBody } from "./im";

/**
 * Tencent's replay index service (`/v4/ilvb_video_replay/create_replay_index`, IM REST
 * style; protocol.md §7.2), checked as IM checks a REST call (query, admin usersig) and then
 * the body (GroupId, the IM range, UserList). It builds the index file from the group's
 * messages in the range, serves it under /replay-index/, and answers as a test chooses: the
 * file at once, later through the index-file callback (signed as IM signs callbacks:
 * `Sign` = sha256(token + RequestTime) in the URL), an error, an error callback, nothing.
 */

/** immediate: the file in the answer · callback: accepted, the file by callback · fail: an error answer ·
 *  callbackError: accepted, an error by callback · silent: accepted, never calls back · down: drops the connection. */
export type ReplayIndexMode = "immediate" | "callback" | "fail" | "callbackError" | "silent" | "down";

export interface ReplayIndexRequestReceived {
  query: Record<string, string>;
  body: Record<string, unknown>;
  atMs: number;
}

/** A callback the service made, and what the server answered. */
export interface IndexCallbackDelivery {
  url: string;
  body: Record<string, unknown>;
  status: number;
  answer: string;
}

const CREATE_REPLAY_INDEX = "/v4/ilvb_video_replay/create_replay_index";
const FILE_PREFIX = "/replay-index/";
/** The CallbackCommand of the index-file callback (not in Tencent's public documents: our name for it). */
export const INDEX_FILE_CALLBACK_COMMAND = "Replay.IndexFileEnd";
/** The error the service answers in "fail" mode (and calls back with in "callbackError"). */
export const INDEX_SERVICE_ERROR = { code: 70001, info: "replay index service error" } as const;
const MAX_USER_LIST = 500;

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

export class ReplayIndexEmulator {
  mode: ReplayIndexMode = "callback";
  /** Where the service calls back (the IM console's callback URL) and the callback authentication token. */
  callback: { url: string; token: string } | undefined;
  callbackDelayMs = 0;
  readonly requests: ReplayIndexRequestReceived[] = [];
  readonly deliveries: IndexCallbackDelivery[] = [];
  /** Index files built, by path under /replay-index/. */
  readonly files = new Map<string, object>();
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly apps: readonly EmulatedApp[],
    private readonly im: ImEmulator,
    private readonly baseUrl: () => string,
  ) {}

  handles(method: string, path: string): boolean {
    return path === CREATE_REPLAY_INDEX || (method === "GET" && path.startsWith(FILE_PREFIX));
  }

  handle(method: string, url: URL, body: string, nowMs = Date.now()): EmulatorReply {
    if (method === "GET") return this.file(url.pathname);
    if (this.mode === "down") return { kind: "drop" };
    try {
      const app = checkRestQuery(this.apps, method, url, nowMs);
      const request = checkRequest(parseRestBody(body));
      this.requests.push({ query: Object.fromEntries(url.searchParams), body: request, atMs: nowMs });
      return this.answer(app, request, body, nowMs);
    } catch (error) {
      if (!(error instanceof ImFailure)) throw error;
      return failureReply(error);
    }
  }

  /** Resolves once every callback scheduled so far has been delivered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private answer(app: EmulatedApp, request: Record<string, unknown>, rawBody: string, nowMs: number): EmulatorReply {
    const ok = (extra: object = {}): EmulatorReply => ({ kind: "json", body: { ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0, ...extra } });
    switch (this.mode) {
      case "fail":
        return failureReply(new ImFailure(INDEX_SERVICE_ERROR.code, INDEX_SERVICE_ERROR.info));
      case "immediate":
        return ok({ ReplayIndex: this.build(app, request, nowMs) });
      case "callback":
        this.callBack(app, { SrcRequest: rawBody, ErrorCode: 0, ErrorInfo: "", ReplayIndex: this.build(app, request, nowMs) });
        return ok();
      case "callbackError":
        this.callBack(app, { SrcRequest: rawBody, ErrorCode: INDEX_SERVICE_ERROR.code, ErrorInfo: INDEX_SERVICE_ERROR.info });
        return ok();
      default:
        return ok();
    }
  }

  /** Builds the index file: the class's range of group messages and its attendees. */
  private build(app: EmulatedApp, request: Record<string, unknown>, nowMs: number): { FileUrl: string; CreateTime: number } {
    const groupId = request.GroupId as string;
    const [start, end] = [request.MsgSeqStart as number, request.MsgSeqEnd as number];
    const messages = this.im.messagesOf(groupId).filter((m) => m.msgSeq >= start && m.msgSeq <= end);
    const path = `${FILE_PREFIX}${app.sdkAppId}/${encodeURIComponent(groupId)}/${this.files.size + 1}.json`;
    this.files.set(path, { ...request, Messages: messages.map((m) => ({ MsgSeq: m.msgSeq, MsgTime: m.msgTime, From_Account: m.fromAccount, MsgBody: m.msgBody })) });
    return { FileUrl: `${this.baseUrl()}${path}`, CreateTime: Math.floor(nowMs / 1000) };
  }

  private file(path: string): EmulatorReply {
    const file = this.files.get(path);
    return file ? { kind: "json", body: file } : { kind: "json", status: 404, body: { error: "no such index file" } };
  }

  /** Calls the index-file callback as IM calls an app's callback URL, after callbackDelayMs. */
  private callBack(app: EmulatedApp, body: Record<string, unknown>): void {
    const target = this.callback;
    if (!target) return;
    const delivery = new Promise<void>((resolve) => setTimeout(resolve, this.callbackDelayMs))
      .then(() => this.deliver(app, target, body))
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  private async deliver(app: EmulatedApp, target: { url: string; token: string }, body: Record<string, unknown>): Promise<void> {
    const requestTime = Math.floor(Date.now() / 1000);
    const query = new URLSearchParams({
      SdkAppid: String(app.sdkAppId),
      CallbackCommand: INDEX_FILE_CALLBACK_COMMAND,
      contenttype: "json",
      ClientIP: "127.0.0.1",
      OptPlatform: "RESTAPI",
      RequestTime: String(requestTime),
      Sign: createHash("sha256").update(`${target.token}${requestTime}`).digest("hex"),
    });
    const url = `${target.url}${target.url.includes("?") ? "&" : "?"}${query.toString()}`;
    try {
      const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      this.deliveries.push({ url, body, status: response.status, answer: await response.text() });
    } catch (error) {
      this.deliveries.push({ url, body, status: 0, answer: String(error) });
    }
  }
}

/** The request body, checked as the service would: GroupId, the IM range, the attendees. */
function checkRequest(body: Record<string, unknown>): Record<string, unknown> {
  const { GroupId: groupId, MsgSeqStart: start, MsgSeqEnd: end, MaxMsgSeqVideoEnd: videoEnd, UserList: users } = body;
  if (typeof groupId !== "string" || groupId === "") fail(10004, "GroupId is required");
  if (!isCount(start) || !isCount(end) || !isCount(videoEnd)) fail(10004, "MsgSeqStart, MsgSeqEnd and MaxMsgSeqVideoEnd must be non-negative integers");
  if ((start as number) > (end as number)) fail(10004, "MsgSeqStart is after MsgSeqEnd");
  if (!Array.isArray(users) || users.length > MAX_USER_LIST) fail(10004, `UserList must be a list of at most ${MAX_USER_LIST} accounts`);
  for (const user of users as unknown[]) {
    const account = (user as { Account?: unknown } | null)?.Account;
    if (typeof account !== "string" || account === "") fail(10004, "each UserList entry needs an Account");
  }
  return body;
}
