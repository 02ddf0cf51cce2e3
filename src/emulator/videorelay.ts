import { createHash, randomInt } from "node:crypto";
import { stringify } from "lossless-json";
import type { EmulatedCloud, EmulatorReply } from "./http";
import type { EmulatedApp, ImEmulator, ReceivedGroupMessage } from "./im";
import type { RecordingSimulator } from "./recorder";
import { verifyUserSig } from "./usersig";

/**
 * Tencent's ILVB backend API `videorelay` (../shared/seeds/ilvb-backend-api-videorelay-zh.md):
 * server-side recording (0x5) and relay push (0x6), checked as Tencent checks them: the query
 * (names in any letter case, as real callers send them), the admin usersig verified, the
 * common header (sub-command, the one rpt_to_Account, the room), then the sub-command's
 * fields exactly as the tables say what each operation requires, allows and must not carry.
 * AV rooms come from the class markers IM receives (1001 opens a class's room with its
 * teacher, 1003 brings a member in, 1002 closes it): recording or pushing needs the user in
 * the room. A stopped recording names its files (one per 90 minutes) and, with the
 * recording simulator on, Tencent's recording callback follows for each. Tests may make
 * it answer any documented code (`fault`), or do the operation and lose its answer as a
 * network does (`answerLost`: the caller cannot tell whether it was done).
 */

export type VideorelayFault =
  | { kind: "header"; result: number }
  | { kind: "business"; code: number }
  | { kind: "gateway"; errorCode: number; errorInfo: string }
  | { kind: "down" }
  /** The request is handled (a start starts, a stop stops), then the connection drops before the answer. */
  | { kind: "answerLost" }
  | { kind: "garbage" }
  /** The reply's header does not echo the request's uint32_seq and bytes_cookie_buff. */
  | { kind: "noEcho" };

export interface VideorelayRequestReceived {
  query: Record<string, string>;
  body: unknown;
}

const PATH = "/v3/openim/videorelay";
const UINT32_MAX = 4294967295;
/** Manual recordings are cut into files of at most 90 minutes. */
const FILE_SPLIT_S = 5400;
const RATE_SUFFIX: Record<number, string> = { 0: "", 10: "_550", 20: "_900" };

const isUint32 = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= UINT32_MAX;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const json = (body: unknown): EmulatorReply => ({ kind: "text", contentType: "application/json", body: stringify(body) ?? "" });

/** A refusal: in the header (−1…−5) or the sub-command's result. */
class Refusal extends Error {
  constructor(
    readonly where: "header" | "business",
    readonly code: number,
    readonly info: string,
  ) {
    super(`${where} ${code} ${info}`);
  }
}

const headerRefusal = (result: number, info: string): never => {
  throw new Refusal("header", result, info);
};
const businessRefusal = (code: number, info: string): never => {
  throw new Refusal("business", code, info);
};

interface Room {
  users: Set<string>;
}

export interface RecordingTask {
  fileName: string;
  startS: number;
}

export class VideorelayEmulator {
  fault: VideorelayFault | undefined;
  /** Tests: awaited as a request arrives, before it is handled (to look at the caller's state while its call is in flight). */
  onArrival: (() => Promise<void>) | undefined;
  readonly requests: VideorelayRequestReceived[] = [];
  /** Files named by stopped recordings, by file id. */
  readonly files = new Map<string, { groupId: string; uid: string; fileName: string }>();
  private readonly rooms = new Map<string, Room>();
  /** Recordings running, by "sdkappid:room:user:stream" (0 camera, 1 screen: one task per stream): the file name asked for, and since when. */
  readonly recordings = new Map<string, RecordingTask>();
  /** Pushes running, by "sdkappid:room:user:stream": their uint64 channel ids. */
  readonly pushes = new Map<string, { channelId: bigint }>();

  constructor(
    private readonly apps: readonly EmulatedApp[],
    private readonly cloud: EmulatedCloud & { bizId?: number },
    im: ImEmulator,
    private readonly recorder: RecordingSimulator,
  ) {
    im.listeners.push((message, app) => this.observe(message, app));
  }

  handles(path: string): boolean {
    return path === PATH;
  }

  /** What runs now, by "sdkappid:room:user:stream" (the development view). */
  running(): { recordings: Record<string, string>; pushes: Record<string, string> } {
    return {
      recordings: Object.fromEntries([...this.recordings].map(([key, task]) => [key, task.fileName])),
      pushes: Object.fromEntries([...this.pushes].map(([key, push]) => [key, push.channelId.toString()])),
    };
  }

  handle(method: string, url: URL, body: string, nowMs = Date.now()): EmulatorReply {
    const reply = this.answer(method, url, body, nowMs);
    return this.fault?.kind === "answerLost" ? { kind: "drop" } : reply;
  }

  private answer(method: string, url: URL, body: string, nowMs: number): EmulatorReply {
    const query = Object.fromEntries([...url.searchParams].map(([name, value]) => [name.toLowerCase(), value]));
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    this.requests.push({ query, body: parsed ?? body });
    const fault = this.fault;
    if (fault?.kind === "down") return { kind: "drop" };
    if (fault?.kind === "garbage") return { kind: "text", contentType: "text/html", body: "<html>502 Bad Gateway</html>" };
    const refused = this.checkQuery(method, query, nowMs);
    if (refused) return json({ ActionStatus: "FAIL", ErrorCode: refused.code, ErrorInfo: refused.info });
    if (fault?.kind === "gateway") return json({ ActionStatus: "FAIL", ErrorCode: fault.errorCode, ErrorInfo: fault.errorInfo });
    const app = this.apps.find((a) => String(a.sdkAppId) === query.sdkappid)!;
    const head = isObject(parsed) && isObject(parsed.reqhead) ? parsed.reqhead : {};
    const echo = { ...head, ...(fault?.kind === "noEcho" ? { uint32_seq: 0, bytes_cookie_buff: "" } : {}) };
    try {
      if (parsed === undefined) headerRefusal(-1, "unpack error: the body is not JSON");
      const subCmd = this.checkHead(head, app);
      if (fault?.kind === "header") headerRefusal(fault.result, "fault");
      const rsp = fault?.kind === "business" ? businessRefusal(fault.code, "fault") : this.operate(app, head, parsed, subCmd, nowMs);
      return json({ reqhead: { ...echo, uint32_result: 0, str_error_msg: "" }, rspbody: { [`rsp_0x${subCmd}`]: { uint32_result: 0, str_errorinfo: "", ...rsp } } });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      if (error.where === "header") return json({ reqhead: { ...echo, uint32_result: error.code, str_error_msg: error.info } });
      const subCmd = head.uint32_sub_cmd === 5 ? 5 : 6;
      return json({ reqhead: { ...echo, uint32_result: 0, str_error_msg: "" }, rspbody: { [`rsp_0x${subCmd}`]: { uint32_result: error.code, str_errorinfo: error.info } } });
    }
  }

  /** The query, as IM's gateway checks it (names in any case). */
  private checkQuery(method: string, query: Record<string, string>, nowMs: number): { code: number; info: string } | undefined {
    if (method !== "POST") return { code: 60002, info: `HTTP method ${method}: POST only` };
    const app = this.apps.find((a) => String(a.sdkAppId) === query.sdkappid);
    if (!query.sdkappid) return { code: 60012, info: "the request URL carries no sdkappid" };
    if (!app) return { code: 70020, info: `SDKAppID ${query.sdkappid} does not exist` };
    if (query.contenttype !== "json") return { code: 60002, info: "contenttype must be json" };
    if (!/^\d{1,10}$/.test(query.random ?? "") || Number(query.random) > UINT32_MAX) return { code: 60002, info: "random must be a 32-bit unsigned integer" };
    if (!/^[0-4]$/.test(query.apn ?? "")) return { code: 60002, info: "apn must be 0-4 (0 for a backend)" };
    if (query.identifier !== app.admin) return { code: 60010, info: "the request needs the App admin as identifier" };
    const verdict = verifyUserSig(query.usersig ?? "", app.secretKey, { identifier: app.admin, sdkAppId: app.sdkAppId }, Math.floor(nowMs / 1000));
    return verdict.ok ? undefined : { code: verdict.errorCode, info: verdict.errorInfo };
  }

  /** GVCommOprHead: a known sub-command, the request's seq, the room, this app, exactly one account. */
  private checkHead(head: Record<string, unknown>, app: EmulatedApp): 5 | 6 {
    const subCmd = head.uint32_sub_cmd;
    if (subCmd !== 5 && subCmd !== 6) return headerRefusal(-4, "uint32_sub_cmd must be 5 or 6");
    if (!isUint32(head.uint32_seq)) headerRefusal(-4, "uint32_seq is required");
    if (!isUint32(head.uint32_auth_key) || head.uint32_auth_key === 0) headerRefusal(-4, "uint32_auth_key (the group number) is required");
    if (head.uint32_sdk_appid !== app.sdkAppId) headerRefusal(-4, "uint32_sdk_appid differs from the URL's sdkappid");
    const accounts = head.rpt_to_Account;
    if (!Array.isArray(accounts) || accounts.length !== 1 || typeof accounts[0] !== "string" || accounts[0] === "") {
      headerRefusal(-4, "rpt_to_Account: 0x5 and 0x6 take exactly one account");
    }
    if (head.bytes_cookie_buff !== undefined && typeof head.bytes_cookie_buff !== "string") headerRefusal(-4, "bytes_cookie_buff is a string");
    return subCmd;
  }

  private operate(app: EmulatedApp, head: Record<string, unknown>, body: unknown, subCmd: 5 | 6, nowMs: number): Record<string, unknown> {
    const groupId = String(head.uint32_auth_key);
    const uid = (head.rpt_to_Account as string[])[0]!;
    const reqbody = isObject(body) && isObject(body.reqbody) ? body.reqbody : {};
    const request = reqbody[`req_0x${subCmd}`];
    const key = `${app.sdkAppId}:${groupId}:${uid}`;
    if (subCmd === 5) {
      if (!isObject(request)) return businessRefusal(30000001, "no req_0x5");
      return this.record(app, groupId, uid, key, request, nowMs);
    }
    if (!isObject(request)) return businessRefusal(40000001, "no req_0x6");
    return this.push(app, groupId, uid, key, request);
  }

  private record(app: EmulatedApp, groupId: string, uid: string, userKey: string, req: Record<string, unknown>, nowMs: number): Record<string, unknown> {
    let key = userKey;
    const oper = checkOper(req, 30000003, 30000000);
    if (![1, 2].includes(req.uint32_sdk_type as number)) businessRefusal(30000000, "uint32_sdk_type must be 1 or 2");
    if (![0, 1].includes(req.uint32_record_data_type as number)) businessRefusal(30000004, "uint32_record_data_type must be 0 (camera) or 1 (screen)");
    key = `${key}:${String(req.uint32_record_data_type)}`;
    const startOnly = ["string_file_name", "string_tags", "uint32_classid", "uint32_IsTransCode", "uint32_IsScreenShot", "uint32_IsWaterMark"];
    const nowS = Math.floor(nowMs / 1000);
    if (oper === 2) {
      mustNotCarry(req, startOnly, 30000000);
      const task = this.recordings.get(key);
      if (!task) return businessRefusal(30000412, "record already stoped!");
      this.recordings.delete(key);
      return { str_fileID: this.filesOf(app, groupId, uid, task, nowS) };
    }
    if (typeof req.string_file_name !== "string" || req.string_file_name === "") businessRefusal(30000002, "string_file_name is required");
    if (req.string_tags !== undefined && (!Array.isArray(req.string_tags) || req.string_tags.some((tag) => typeof tag !== "string"))) businessRefusal(30000000, "string_tags");
    for (const name of ["uint32_classid", "uint32_IsTransCode", "uint32_IsScreenShot", "uint32_IsWaterMark"]) if (req[name] !== undefined && !isUint32(req[name])) businessRefusal(30000000, name);
    this.inRoom(app, groupId, uid, 30000410, 30000411);
    if (this.recordings.has(key)) businessRefusal(30000415, "already recording");
    this.recordings.set(key, { fileName: req.string_file_name as string, startS: nowS });
    return {};
  }

  private push(app: EmulatedApp, groupId: string, uid: string, userKey: string, req: Record<string, unknown>): Record<string, unknown> {
    let key = userKey;
    const oper = checkOper(req, 40000002, 40000005);
    if (![1, 2].includes(req.uint32_sdk_type as number)) businessRefusal(40000000, "uint32_sdk_type must be 1 or 2");
    if (![0, 1].includes(req.uint32_push_data_type as number)) businessRefusal(40000004, "uint32_push_data_type must be 0 (camera) or 1 (screen)");
    key = `${key}:${String(req.uint32_push_data_type)}`;
    const startOnly = ["uint32_live_code", "str_channel_name", "str_channel_describe", "str_player_pwd", "uint32_tape_flag", "uint32_watermark_flag", "uint32_watermark_id", "rpt_rate_type"];
    if (oper === 2) {
      mustNotCarry(req, startOnly, 40000000);
      if (!this.pushes.delete(key)) businessRefusal(40000412, "push already stopped");
      return {};
    }
    const liveCode = req.uint32_live_code;
    if (liveCode !== 1 && liveCode !== 5 && liveCode !== 6) return businessRefusal(40000003, "uint32_live_code must be 1, 5 or 6");
    if (req.uint32_tape_flag !== 0 && req.uint32_tape_flag !== 1) businessRefusal(40000000, "uint32_tape_flag is required on start");
    for (const name of ["str_channel_name", "str_channel_describe", "str_player_pwd"]) if (req[name] !== undefined && typeof req[name] !== "string") businessRefusal(40000000, name);
    const rates = req.rpt_rate_type ?? [0];
    if (!Array.isArray(rates) || rates.some((rate) => !(rate in RATE_SUFFIX))) return businessRefusal(40000000, "rpt_rate_type: 0, 10 or 20");
    this.inRoom(app, groupId, uid, 40000410, 40000411);
    if (this.pushes.has(key)) businessRefusal(40000415, "already pushing");
    // A uint64 beyond 2^53: only a reader that keeps integers exact gets it right.
    const channelId = 2n ** 63n + BigInt(randomInt(0, 2 ** 47));
    this.pushes.set(key, { channelId });
    return {
      uint64_channel_id: channelId,
      msg_live_url: this.liveUrls(groupId, uid, req.uint32_push_data_type === 1 ? "aux" : "main", liveCode, rates as number[]),
      ...(req.uint32_tape_flag === 1 ? { uint32_tape_task_id: randomInt(1, 1000000) } : {}),
    };
  }

  /** The play URLs of a relayed stream (直播码 = BIZID_md5(room_uid_main|aux)), per output and bit rate. */
  private liveUrls(groupId: string, uid: string, stream: "main" | "aux", liveCode: 1 | 5 | 6, rates: number[]) {
    const bizId = this.cloud.bizId ?? 8888;
    const streamId = `${bizId}_${createHash("md5").update(`${groupId}_${uid}_${stream}`).digest("hex")}`;
    const host = `${bizId}.liveplay.myqcloud.com`;
    return rates.flatMap((rate) => {
      const name = `${streamId}${RATE_SUFFIX[rate]}`;
      const rtmp = [{ uint32_type: 5, string_play_url: `rtmp://${host}/live/${name}`, RateType: rate }, { uint32_type: 2, string_play_url: `http://${host}/live/${name}.flv`, RateType: rate }];
      const hls = [{ uint32_type: 1, string_play_url: `http://${host}/live/${name}.m3u8`, RateType: rate }];
      return liveCode === 1 ? hls : liveCode === 5 ? rtmp : [...rtmp, ...hls];
    });
  }

  /** A stopped recording's files (one per 90 minutes); the recording callback follows for each when simulated. */
  private filesOf(app: EmulatedApp, groupId: string, uid: string, task: RecordingTask, endS: number): string[] {
    const files: string[] = [];
    for (let startS = task.startS; files.length === 0 || startS < endS; startS += FILE_SPLIT_S) {
      const fileEndS = Math.max(Math.min(startS + FILE_SPLIT_S, endS), startS + 1);
      const fileId = String(5285890790000000000n + BigInt(randomInt(0, 2 ** 47)));
      files.push(fileId);
      this.files.set(fileId, { groupId, uid, fileName: task.fileName });
      if (this.recorder.enabled && this.recorder.target) this.recorder.record({ app, groupId, uid, startS, endS: fileEndS, fileId });
    }
    return files;
  }

  private inRoom(app: EmulatedApp, groupId: string, uid: string, noRoom: number, notInRoom: number): void {
    const room = this.rooms.get(`${app.sdkAppId}:${groupId}`);
    if (!room) businessRefusal(noRoom, "the room does not exist");
    if (!room!.users.has(uid)) businessRefusal(notInRoom, "the user is not in the room");
  }

  /** AV rooms as the class markers tell: 1001 opens with the teacher, 1003 brings a member in, 1002 closes. */
  private observe(message: ReceivedGroupMessage, app: EmulatedApp): void {
    const data = message.msgBody[0]?.MsgContent.Data;
    let marker: { type?: unknown; value?: { uid?: unknown } };
    try {
      marker = JSON.parse(typeof data === "string" ? data : "") as typeof marker;
    } catch {
      return;
    }
    const uid = marker.value?.uid;
    const key = `${app.sdkAppId}:${message.groupId}`;
    if (marker.type === 1001 && typeof uid === "string") this.rooms.set(key, { users: new Set([uid]) });
    if (marker.type === 1003 && typeof uid === "string") this.rooms.get(key)?.users.add(uid);
    if (marker.type === 1002) this.rooms.delete(key);
  }
}

/** uint32_oper: missing → `lack`, neither 1 (start) nor 2 (stop) → `invalid`. */
function checkOper(req: Record<string, unknown>, lack: number, invalid: number): 1 | 2 {
  if (req.uint32_oper === undefined) return businessRefusal(lack, "uint32_oper is required");
  if (req.uint32_oper !== 1 && req.uint32_oper !== 2) return businessRefusal(invalid, "uint32_oper must be 1 (start) or 2 (stop)");
  return req.uint32_oper;
}

/** A stop must not carry the start's fields (the table: 停止…不填). */
function mustNotCarry(req: Record<string, unknown>, names: readonly string[], code: number): void {
  const carried = names.find((name) => req[name] !== undefined && req[name] !== "");
  if (carried) businessRefusal(code, `${carried} is not sent with a stop`);
}
