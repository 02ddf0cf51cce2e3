import { randomBytes, randomInt } from "node:crypto";
import { isSafeNumber, parse } from "lossless-json";
import type { SdkApp } from "../../config";
import { HttpsPoster, PostFailed, type TlsIdentity } from "./https-post";
import { AdminSigs } from "./usersig";
import { ALREADY_DONE, HEADER_RESULTS, type RelayAction, relayCodeOf } from "./videorelay-codes";
import { type CallObserver, type CallOutcome, observed } from "./call-observer";

/**
 * Tencent's ILVB backend API `videorelay` (spec/videorelay.md; the seeds' ILVB backend API):
 * server-side recording (sub-command 0x5) and relay push to CDN (0x6) of one user's stream
 * in an AV room. `POST {base}/v3/openim/videorelay?usersig&identifier&sdkappid&random&apn=0
 * &contenttype=json` with `{reqhead: GVCommOprHead, reqbody: {req_0x5 | req_0x6}}`, over mutual
 * TLS when a client certificate is configured. Requests are checked before they are sent,
 * exactly as the tables say what each operation requires, allows and must not carry.
 * Replies: the common header's result (−1…−5), then the sub-command's result, each mapped to
 * a typed error with Tencent's meaning and advice; "already started / already stopped"
 * answers are the operation's success (idempotent). The push channel id is a uint64: it is
 * read as text, never through a JS number.
 */

export type SdkType = 1 | 2; // 1 normal SDK, 2 IoT camera
export type DataType = 0 | 1; // 0 camera, 1 screen sharing
export type LiveCode = 1 | 5 | 6; // 1 HLS, 5 RTMP, 6 HLS + RTMP
export type RateType = 0 | 10 | 20; // original, 550K SD, 900K HD

export type RecordOperation =
  | {
      oper: "start";
      fileName: string;
      tags?: readonly string[];
      classId?: number;
      transcode?: boolean;
      screenshot?: boolean;
      watermark?: boolean;
      sdkType: SdkType;
      recordDataType: DataType;
    }
  | { oper: "stop"; sdkType: SdkType; recordDataType: DataType };

export type PushOperation =
  | {
      oper: "start";
      liveCode: LiveCode;
      sdkType: SdkType;
      channelName?: string;
      channelDescribe?: string;
      playerPassword?: string;
      pushDataType: DataType;
      tape: boolean;
      watermark?: { id?: number };
      rateTypes?: readonly RateType[];
    }
  | { oper: "stop"; sdkType: SdkType; pushDataType: DataType };

/** Whose stream, in which room: the header's `uint32_auth_key` and its one `rpt_to_Account`. */
export interface RelayTarget {
  roomnum: number;
  account: string;
}

export interface LiveUrl {
  /** 1 HLS, 2 FLV, 5 RTMP (as Tencent numbers them in answers). */
  type: number;
  url: string;
  rateType: number;
}

export type RecordOutcome = { oper: "start"; alreadyRecording: boolean } | { oper: "stop"; fileIds: string[]; alreadyStopped: boolean };

export type PushOutcome =
  | { oper: "start"; alreadyPushing: boolean; channelId: string | undefined; liveUrls: LiveUrl[]; tapeTaskId: number | undefined }
  | { oper: "stop"; alreadyStopped: boolean };

/** Where a failure came from: a request we refused to send, the transport, IM's gateway, the common header, the sub-command, or a reply we cannot read. */
export type RelayFailureKind = "request" | "transport" | "gateway" | "header" | "business" | "reply";

export class VideorelayError extends Error {
  constructor(
    readonly kind: RelayFailureKind,
    readonly code: number,
    readonly meaning: string,
    readonly advice: string,
    readonly action: RelayAction,
    /**
     * Whether Tencent may have done the operation all the same: no answer (a timeout, a dropped
     * connection after the request left), one we cannot read, or a failure Tencent says to retry
     * (its own internal failures and timeouts). Otherwise its answer says it was not done.
     */
    readonly mayHaveBeenDone: boolean = action === "retry",
  ) {
    super(`videorelay ${kind} ${code}: ${meaning}`);
    this.name = "VideorelayError";
  }
}

export interface VideorelayOptions {
  baseUrl: string;
  timeoutMs: number;
  tls?: TlsIdentity;
  /** Told of every call. */
  observe?: CallObserver;
}

/** Tencent answered a code ("already done" counts as answered with success), or no usable answer came (transport, unreadable). */
const relayOutcomeOf = (error: unknown): CallOutcome => (error instanceof VideorelayError && error.kind !== "transport" && error.kind !== "reply" ? "error" : "unanswered");

const UINT32_MAX = 4294967295;
const SUB_CMD = { record: 5, push: 6 } as const;
const OPER = { start: 1, stop: 2 } as const;
const RATE_TYPES: readonly number[] = [0, 10, 20];

const isUint32 = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;
const refuse = (meaning: string): never => {
  throw new VideorelayError("request", 0, meaning, "fix the request before sending it", "fix-request");
};

function checkTarget(target: RelayTarget): void {
  if (!isUint32(target.roomnum) || target.roomnum === 0) refuse("uint32_auth_key must be the room number (a uint32)");
  if (typeof target.account !== "string" || target.account === "") refuse("rpt_to_Account must hold exactly one account");
}

function checkEnum(name: string, value: number, allowed: readonly number[]): void {
  if (!allowed.includes(value)) refuse(`${name} must be one of ${allowed.join(", ")}`);
}

const flag = (value: boolean | undefined): number | undefined => (value === undefined ? undefined : value ? 1 : 0);

/** req_0x5 as the table says: start carries the file name (required) and the optional fields; stop carries only oper, sdk type and data type. */
export function recordBody(op: RecordOperation): Record<string, unknown> {
  checkEnum("uint32_sdk_type", op.sdkType, [1, 2]);
  checkEnum("uint32_record_data_type", op.recordDataType, [0, 1]);
  if (op.oper === "stop") return { uint32_oper: OPER.stop, uint32_sdk_type: op.sdkType, uint32_record_data_type: op.recordDataType };
  if (typeof op.fileName !== "string" || op.fileName === "") refuse("string_file_name is required to start recording");
  if (op.tags !== undefined && (!Array.isArray(op.tags) || op.tags.some((tag) => typeof tag !== "string"))) refuse("string_tags must be a list of strings");
  if (op.classId !== undefined && !isUint32(op.classId)) refuse("uint32_classid must be a uint32");
  return withoutUndefined({
    uint32_oper: OPER.start,
    string_file_name: op.fileName,
    string_tags: op.tags,
    uint32_classid: op.classId,
    uint32_IsTransCode: flag(op.transcode),
    uint32_IsScreenShot: flag(op.screenshot),
    uint32_IsWaterMark: flag(op.watermark),
    uint32_sdk_type: op.sdkType,
    uint32_record_data_type: op.recordDataType,
  });
}

/** req_0x6 as the table says: start carries the live code, tape flag and the optional fields; stop carries only oper, sdk type and data type. */
export function pushBody(op: PushOperation): Record<string, unknown> {
  checkEnum("uint32_sdk_type", op.sdkType, [1, 2]);
  checkEnum("uint32_push_data_type", op.pushDataType, [0, 1]);
  if (op.oper === "stop") return { uint32_oper: OPER.stop, uint32_sdk_type: op.sdkType, uint32_push_data_type: op.pushDataType };
  checkEnum("uint32_live_code", op.liveCode, [1, 5, 6]);
  for (const text of [op.channelName, op.channelDescribe, op.playerPassword]) if (text !== undefined && typeof text !== "string") refuse("channel name, description and password are strings");
  if (op.watermark?.id !== undefined && !isUint32(op.watermark.id)) refuse("uint32_watermark_id must be a uint32");
  if (op.rateTypes !== undefined && (op.rateTypes.length === 0 || op.rateTypes.some((rate) => !RATE_TYPES.includes(rate)))) refuse("rpt_rate_type must list 0, 10 or 20");
  return withoutUndefined({
    uint32_oper: OPER.start,
    uint32_live_code: op.liveCode,
    uint32_sdk_type: op.sdkType,
    str_channel_name: op.channelName,
    str_channel_describe: op.channelDescribe,
    str_player_pwd: op.playerPassword,
    uint32_push_data_type: op.pushDataType,
    uint32_tape_flag: op.tape ? 1 : 0,
    uint32_watermark_flag: op.watermark ? 1 : undefined,
    uint32_watermark_id: op.watermark?.id,
    rpt_rate_type: op.rateTypes,
  });
}

function withoutUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** Reads a reply keeping integers beyond 2^53 exact (as bigint). */
function parseReply(text: string): unknown {
  try {
    return parse(text, undefined, (digits) => (isSafeNumber(digits) ? Number(digits) : BigInt(digits)));
  } catch {
    throw new VideorelayError("reply", 0, "the reply is not JSON", "retry; if it lasts, ask Tencent", "retry");
  }
}

const asObject = (value: unknown): Record<string, unknown> => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const unreadable = (what: string): never => {
  throw new VideorelayError("reply", 0, `the reply ${what}`, "retry; if it lasts, ask Tencent", "retry");
};

export class VideorelayClient {
  private readonly adminSigs = new AdminSigs();
  private readonly poster: HttpsPoster;

  constructor(private readonly options: VideorelayOptions) {
    this.poster = new HttpsPoster(options.tls);
  }

  /** Starts or stops recording the target's stream; stop returns the recorded files' ids. */
  async record(app: SdkApp, target: RelayTarget, op: RecordOperation): Promise<RecordOutcome> {
    const reply = await this.send(app, target, "record", { req_0x5: recordBody(op) });
    if (reply.alreadyDone) return op.oper === "start" ? { oper: "start", alreadyRecording: true } : { oper: "stop", fileIds: [], alreadyStopped: true };
    if (op.oper === "start") return { oper: "start", alreadyRecording: false };
    const fileIds = reply.body.str_fileID ?? [];
    if (!Array.isArray(fileIds) || fileIds.some((id) => typeof id !== "string")) unreadable("has a str_fileID that is not a list of strings");
    return { oper: "stop", fileIds: fileIds as string[], alreadyStopped: false };
  }

  /** Starts or stops relaying the target's stream to CDN; start returns the channel id and play URLs. */
  async push(app: SdkApp, target: RelayTarget, op: Extract<PushOperation, { oper: "start" }>): Promise<Extract<PushOutcome, { oper: "start" }>>;
  async push(app: SdkApp, target: RelayTarget, op: Extract<PushOperation, { oper: "stop" }>): Promise<Extract<PushOutcome, { oper: "stop" }>>;
  async push(app: SdkApp, target: RelayTarget, op: PushOperation): Promise<PushOutcome> {
    const reply = await this.send(app, target, "push", { req_0x6: pushBody(op) });
    if (op.oper === "stop") return { oper: "stop", alreadyStopped: reply.alreadyDone };
    const { body } = reply;
    const channel = body.uint64_channel_id ?? body.uint64_rsp_channel_id;
    const tape = body.uint32_tape_task_id;
    return {
      oper: "start",
      alreadyPushing: reply.alreadyDone,
      channelId: typeof channel === "bigint" || typeof channel === "number" ? String(channel) : typeof channel === "string" ? channel : undefined,
      liveUrls: liveUrlsOf(body.msg_live_url),
      tapeTaskId: typeof tape === "number" ? tape : undefined,
    };
  }

  close(): void {
    this.poster.close();
  }

  /** Sends once; returns the sub-command's reply body, or throws VideorelayError. */
  private send(app: SdkApp, target: RelayTarget, kind: "record" | "push", reqbody: Record<string, unknown>): Promise<{ body: Record<string, unknown>; alreadyDone: boolean }> {
    checkTarget(target);
    return observed(this.options.observe, relayOutcomeOf, () => this.sendOnce(app, target, kind, reqbody));
  }

  private async sendOnce(app: SdkApp, target: RelayTarget, kind: "record" | "push", reqbody: Record<string, unknown>): Promise<{ body: Record<string, unknown>; alreadyDone: boolean }> {
    const reqhead = {
      uint32_sub_cmd: SUB_CMD[kind],
      uint32_seq: randomInt(1, UINT32_MAX),
      uint32_auth_key: target.roomnum,
      uint32_sdk_appid: app.sdkAppId,
      rpt_to_Account: [target.account],
      bytes_cookie_buff: randomBytes(8).toString("hex"),
    };
    const query = new URLSearchParams({
      usersig: this.adminSigs.of(app),
      identifier: app.admin,
      sdkappid: String(app.sdkAppId),
      random: String(randomInt(0, UINT32_MAX + 1)),
      apn: "0",
      contenttype: "json",
    });
    let text: string;
    try {
      const reply = await this.poster.post(new URL(`${this.options.baseUrl}/v3/openim/videorelay?${query.toString()}`), JSON.stringify({ reqhead, reqbody }), "application/json", this.options.timeoutMs);
      if (reply.status !== 200) throw new VideorelayError("transport", reply.status, `HTTP ${reply.status}`, "retry; if it lasts, ask Tencent", "retry");
      text = reply.text;
    } catch (error) {
      if (!(error instanceof PostFailed)) throw error;
      throw new VideorelayError("transport", 0, error.message, "retry: the request may or may not have been done", "retry", error.mayHaveArrived);
    }
    return readReply(parseReply(text), kind, reqhead, reqbody);
  }
}

/** The reply's verdict: the gateway, the common header (echoed), then the sub-command's result. */
function readReply(
  raw: unknown,
  kind: "record" | "push",
  sent: { uint32_seq: number; bytes_cookie_buff: string },
  reqbody: Record<string, unknown>,
): { body: Record<string, unknown>; alreadyDone: boolean } {
  const reply = asObject(raw);
  if (typeof reply.ActionStatus === "string" && reply.ActionStatus !== "OK") {
    const code = typeof reply.ErrorCode === "number" ? reply.ErrorCode : 0;
    throw new VideorelayError("gateway", code, typeof reply.ErrorInfo === "string" ? reply.ErrorInfo : "", "check the query: sdkappid, identifier, usersig", "check-account");
  }
  const head = asObject(reply.reqhead);
  const headResult = typeof head.uint32_result === "number" ? head.uint32_result : 0;
  if (headResult !== 0) {
    const known = HEADER_RESULTS.get(headResult);
    const meaning = typeof head.str_error_msg === "string" && head.str_error_msg !== "" ? head.str_error_msg : (known?.meaning ?? "");
    throw new VideorelayError("header", headResult, known?.meaning ?? meaning, known?.advice ?? "", known?.action ?? "contact-tencent");
  }
  if (head.uint32_seq !== sent.uint32_seq || head.bytes_cookie_buff !== sent.bytes_cookie_buff) unreadable("does not echo the request's uint32_seq and bytes_cookie_buff");
  const body = asObject(asObject(reply.rspbody)[kind === "record" ? "rsp_0x5" : "rsp_0x6"]);
  const result = body.uint32_result;
  if (typeof result !== "number") return unreadable(`has no rsp_0x${SUB_CMD[kind]}.uint32_result`);
  if (result === 0) return { body, alreadyDone: false };
  const oper = asObject(reqbody[`req_0x${SUB_CMD[kind]}`]).uint32_oper === OPER.start ? "start" : "stop";
  if ((ALREADY_DONE[kind][oper] as readonly number[]).includes(result)) return { body, alreadyDone: true };
  const known = relayCodeOf(kind, result);
  throw new VideorelayError("business", result, known.meaning, known.advice, known.action);
}

function liveUrlsOf(value: unknown): LiveUrl[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return unreadable("has a msg_live_url that is not a list");
  return (value as unknown[]).map((item) => {
    const entry = asObject(item);
    const url = entry.string_play_url;
    // The document's sample writes the numbers as strings; real answers as numbers.
    const type = Number(entry.uint32_type);
    const rate = Number(entry.RateType ?? entry.uint32_rate_type ?? 0);
    if (typeof url !== "string" || !Number.isInteger(type) || !Number.isInteger(rate)) return unreadable("has a msg_live_url entry without type and URL");
    return { type, url, rateType: rate };
  });
}
