import type { EmulatorReply } from "./http";
import { verifyUserSig } from "./usersig";

/**
 * Tencent IM's REST API as the server uses it (group_open_http_svc/send_group_msg),
 * checked the way IM checks it: the query (sdkappid of a configured app, identifier the
 * App admin, the admin's usersig verified, random, contenttype=json), then the body.
 * Answers are IM's: HTTP 200 with {ActionStatus, ErrorCode, ErrorInfo[, MsgTime, MsgSeq]}.
 * Groups exist once a message is posted (in real life the teacher's app creates them);
 * MsgSeq rises from 1 in each group; the same Random within 5 minutes is one message.
 */

export interface EmulatedApp {
  sdkAppId: number;
  secretKey: string;
  admin: string;
}

export interface MsgElement {
  MsgType: string;
  MsgContent: Record<string, unknown>;
}

export interface ReceivedGroupMessage {
  groupId: string;
  fromAccount: string;
  random: number;
  msgSeq: number;
  /** Unix seconds. */
  msgTime: number;
  msgBody: MsgElement[];
  /** The request's query (sdkappid, identifier, usersig, random, contenttype), as sent. */
  query: Record<string, string>;
}

/**
 * What a test or a developer makes IM do: answer, refuse (10010), drop the connection, answer
 * garbage, keep the message and lose the answer (the caller cannot know it was sent), or refuse
 * with `ActionStatus` "OK" beside a non-zero `ErrorCode` (only the code says it failed).
 */
export type ImMode = "ok" | "error" | "down" | "garbage" | "answerLost" | "errorCodeBesideOk";


export interface RejectedRequest {
  path: string;
  errorCode: number;
  errorInfo: string;
}

const SEND_GROUP_MSG = "/v4/group_open_http_svc/send_group_msg";
const KICK = "/v4/im_open_login_svc/kick";
const GROUP_HISTORY = "/v4/group_open_http_svc/group_msg_get_simple";
/** IM gives at most 20 messages of history per call. */
const HISTORY_MAX = 20;
/** IM treats the same Random within five minutes as the same message. */
const DUPLICATE_WINDOW_MS = 5 * 60 * 1000;
const UINT32_MAX = 4294967295;

interface Group {
  lastSeq: number;
  messages: ReceivedGroupMessage[];
  byRandom: Map<number, { message: ReceivedGroupMessage; atMs: number }>;
}

/** An IM REST error: IM answers it as `{ActionStatus: "FAIL", ErrorCode, ErrorInfo}`. */
export class ImFailure extends Error {
  constructor(
    readonly errorCode: number,
    readonly errorInfo: string,
  ) {
    super(`${errorCode} ${errorInfo}`);
  }
}

export const fail = (errorCode: number, errorInfo: string): never => {
  throw new ImFailure(errorCode, errorInfo);
};

/** IM's answer to a refused request. */
export const failureReply = (error: ImFailure): EmulatorReply => ({ kind: "json", body: { ActionStatus: "FAIL", ErrorInfo: error.errorInfo, ErrorCode: error.errorCode } });

/**
 * The common query of every IM REST call, checked as IM does: POST, a configured sdkappid,
 * contenttype=json, a 32-bit random, the App admin as identifier and its usersig verified.
 */
export function checkRestQuery(apps: readonly EmulatedApp[], method: string, url: URL, nowMs: number): EmulatedApp {
  const q = url.searchParams;
  if (method !== "POST") fail(60002, `HTTP method ${method}: REST calls are POST`);
  const sdkappid = q.get("sdkappid");
  if (!sdkappid) fail(60012, "the request URL carries no sdkappid");
  const app = apps.find((a) => String(a.sdkAppId) === sdkappid) ?? fail(70020, `SDKAppID ${sdkappid} does not exist`);
  if (q.get("contenttype") !== "json") fail(60002, "contenttype must be json");
  const random = q.get("random") ?? "";
  if (!/^\d{1,10}$/.test(random) || Number(random) > UINT32_MAX) fail(60002, "random must be a 32-bit unsigned integer");
  const identifier = q.get("identifier") ?? "";
  if (identifier !== app.admin) fail(60010, "the request needs the App admin as identifier");
  const verdict = verifyUserSig(q.get("usersig") ?? "", app.secretKey, { identifier, sdkAppId: app.sdkAppId }, Math.floor(nowMs / 1000));
  if (!verdict.ok) fail(verdict.errorCode, verdict.errorInfo);
  return app;
}

/** A REST call's JSON body: an object, or IM's 60003. */
export function parseRestBody(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fail(60003, "HTTP request JSON parse error");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail(60003, "the request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

const isUint32 = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;

export class ImEmulator {
  mode: ImMode = "ok";
  /** Every message accepted, all groups, in arrival order. */
  readonly received: ReceivedGroupMessage[] = [];
  /** Requests refused for their format or signature (a correct client causes none). */
  readonly rejected: RejectedRequest[] = [];
  /** Retries IM recognised as the same message (same Random within 5 minutes). */
  duplicates = 0;
  /** Called with every new message (the recording simulator watches the class markers). */
  readonly listeners: Array<(message: ReceivedGroupMessage, app: EmulatedApp) => void> = [];
  private readonly groups = new Map<string, Group>();
  /** "sdkappid:user" → when IM ended the user's login (s): its userSigs of before then no longer work. */
  readonly kicked = new Map<string, number>();

  constructor(private readonly apps: readonly EmulatedApp[]) {}

  /** The messages of one group, oldest first. */
  messagesOf(groupId: string): readonly ReceivedGroupMessage[] {
    return this.groups.get(groupId)?.messages ?? [];
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  handles(path: string): boolean {
    return path.startsWith("/v4/");
  }

  handle(method: string, url: URL, body: string, nowMs = Date.now()): EmulatorReply {
    if (this.mode === "down") return { kind: "drop" };
    try {
      const app = checkRestQuery(this.apps, method, url, nowMs);
      if (url.pathname !== SEND_GROUP_MSG && url.pathname !== KICK && url.pathname !== GROUP_HISTORY) fail(60009, `unknown REST API ${url.pathname}`);
      const request = parseRestBody(body);
      if (this.mode === "garbage") return { kind: "text", contentType: "text/html", body: "<html>502 Bad Gateway</html>" };
      if (this.mode === "error") return { kind: "json", body: { ActionStatus: "FAIL", ErrorInfo: "group does not exist or has been dismissed", ErrorCode: 10010 } };
      if (this.mode === "errorCodeBesideOk") return { kind: "json", body: { ActionStatus: "OK", ErrorInfo: "group does not exist or has been dismissed", ErrorCode: 10010 } };
      if (url.pathname === GROUP_HISTORY) return this.history(request);
      if (url.pathname === KICK) {
        const kicked = this.kick(app, request, nowMs);
        return this.mode === "answerLost" ? { kind: "drop" } : kicked;
      }
      const message = this.post(app, request, Object.fromEntries(url.searchParams), nowMs);
      if (this.mode === "answerLost") return { kind: "drop" };
      return { kind: "json", body: { ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0, MsgTime: message.msgTime, MsgSeq: message.msgSeq } };
    } catch (error) {
      if (!(error instanceof ImFailure)) throw error;
      this.rejected.push({ path: url.pathname, errorCode: error.errorCode, errorInfo: error.errorInfo });
      return failureReply(error);
    }
  }

  /**
   * im_open_login_svc/kick: the user's login state ends: every userSig it was given before now stops
   * working (`signedBefore`), as IM documents it.
   */
  private kick(app: EmulatedApp, request: Record<string, unknown>, nowMs: number): EmulatorReply {
    const userId = request.UserID;
    if (typeof userId !== "string" || userId === "") fail(70402, "UserID is required");
    this.kicked.set(`${app.sdkAppId}:${userId as string}`, Math.floor(nowMs / 1000));
    return { kind: "json", body: { ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0 } };
  }

  /**
   * group_msg_get_simple: up to ReqMsgNumber (IM gives 20 at most) messages with a seq ≤ ReqMsgSeq
   * (the latest without one), newest first; IsFinished 1 once none older remains. A group that never
   * had a message does not exist (10010).
   */
  private history(request: Record<string, unknown>): EmulatorReply {
    const { GroupId: groupId, ReqMsgSeq: reqSeq, ReqMsgNumber: count } = request;
    if (typeof groupId !== "string" || groupId === "") fail(10004, "GroupId is required");
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1) fail(10004, "ReqMsgNumber must be a positive integer");
    if (reqSeq !== undefined && (typeof reqSeq !== "number" || !Number.isInteger(reqSeq) || reqSeq < 0)) fail(10004, "ReqMsgSeq must be a non-negative integer");
    const group = this.groups.get(groupId as string) ?? fail(10010, "group does not exist or has been dismissed");
    const upTo = (reqSeq as number | undefined) ?? group.lastSeq;
    const older = group.messages.filter((m) => m.msgSeq <= upTo).reverse();
    const page = older.slice(0, Math.min(count as number, HISTORY_MAX));
    const RspMsgList = page.map((m) => ({ From_Account: m.fromAccount, IsPlaceMsg: 0, MsgBody: m.msgBody, MsgPriority: 1, MsgRandom: m.random, MsgSeq: m.msgSeq, MsgTimeStamp: m.msgTime }));
    return { kind: "json", body: { ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0, GroupId: groupId, IsFinished: older.length <= page.length ? 1 : 0, RspMsgList } };
  }

  /** A member's chat message in a group, as their app's SDK would send it (development and tests: the server never sends chat). */
  chat(sdkAppId: number, groupId: string, fromAccount: string, text: string, nowMs = Date.now()): ReceivedGroupMessage {
    const app = this.apps.find((a) => a.sdkAppId === sdkAppId) ?? fail(70020, `SDKAppID ${sdkAppId} does not exist`);
    const random = Math.floor(Math.random() * UINT32_MAX);
    return this.post(app, { GroupId: groupId, Random: random, From_Account: fromAccount, MsgBody: [{ MsgType: "TIMTextElem", MsgContent: { Text: text } }] }, {}, nowMs);
  }

  /** Whether IM still takes a userSig of this user made at `signedAtS` (not once the user was kicked after it). */
  acceptsUserSigOf(sdkAppId: number, userId: string, signedAtS: number): boolean {
    const kickedAt = this.kicked.get(`${sdkAppId}:${userId}`);
    return kickedAt === undefined || signedAtS > kickedAt;
  }

  private post(app: EmulatedApp, request: Record<string, unknown>, query: Record<string, string>, nowMs: number): ReceivedGroupMessage {
    const { GroupId: groupId, Random: random, MsgBody: msgBody, From_Account: from } = request;
    if (typeof groupId !== "string" || groupId === "") fail(10004, "GroupId is required");
    if (!isUint32(random)) fail(10004, "Random must be a 32-bit unsigned integer");
    if (from !== undefined && (typeof from !== "string" || from === "")) fail(10004, "From_Account must be a user id");
    const elements = checkMsgBody(msgBody);
    const group = this.groupOf(groupId as string);
    const previous = group.byRandom.get(random as number);
    if (previous && nowMs - previous.atMs < DUPLICATE_WINDOW_MS) {
      this.duplicates += 1;
      return previous.message;
    }
    const message: ReceivedGroupMessage = {
      groupId: groupId as string,
      fromAccount: (from as string | undefined) ?? app.admin,
      random: random as number,
      msgSeq: ++group.lastSeq,
      msgTime: Math.floor(nowMs / 1000),
      msgBody: elements,
      query,
    };
    group.messages.push(message);
    group.byRandom.set(message.random, { message, atMs: nowMs });
    this.received.push(message);
    for (const listener of this.listeners) listener(message, app);
    return message;
  }

  private groupOf(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = { lastSeq: 0, messages: [], byRandom: new Map() }));
    return group;
  }
}

/** MsgBody: a non-empty list of elements; a custom element carries its Data as a string. */
function checkMsgBody(msgBody: unknown): MsgElement[] {
  if (!Array.isArray(msgBody) || msgBody.length === 0) fail(10004, "MsgBody must be a non-empty array");
  for (const element of msgBody as unknown[]) {
    const { MsgType: type, MsgContent: content } = (element ?? {}) as { MsgType?: unknown; MsgContent?: unknown };
    if (typeof type !== "string" || typeof content !== "object" || content === null) fail(10004, "each MsgBody element needs MsgType and MsgContent");
    if (type === "TIMCustomElem" && typeof (content as { Data?: unknown }).Data !== "string") fail(10004, "TIMCustomElem needs MsgContent.Data");
  }
  return msgBody as MsgElement[];
}
