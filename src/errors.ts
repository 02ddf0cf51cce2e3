/**
 * The one table of error codes and texts. Texts are wire data: apps were built
 * against the original server's exact strings, typos and leading spaces included
 * (protocol.md §3, §6). Services throw AppError; each door maps it to its envelope.
 */

export const ErrorCode = {
  success: 0,
  invalidRequest: 10001,
  requestJson: 10002,
  requestData: 10003,
  userExists: 10004,
  userNotExist: 10005,
  password: 10006,
  repeatLogout: 10008,
  tokenExpired: 10009,
  liveRoomNotExist: 10010,
  roomNotExist: 10100,
  noPrivilege: 10101,
  roomState: 10102,
  sendImMsg: 10103,
  repeatBind: 10104,
  resourceState: 10105,
  repeatExit: 10107,
  /** Over an abuse limit (REST: 429 with Retry-After). */
  tooManyRequests: 10429,
  server: 90000,
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What went wrong, beyond the wire code. REST answers some kinds with their own status
 *  (401 credentials, 413 body too large, 408 body too slow); the protocol door always 200. */
export type ErrorKind = "request" | "credentials" | "bodyTooLarge" | "bodyTimeout" | "rateLimited";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCodeValue,
    readonly info: string,
    readonly kind: ErrorKind = "request",
    /** `data` of the error answer (only vod.cmd_proxy has one: Tencent's code and message). */
    readonly data?: object,
  ) {
    super(`${code} ${info}`);
    this.name = "AppError";
  }
}

const fail = (code: ErrorCodeValue, info: string, kind?: ErrorKind) => () => new AppError(code, info, kind);

/** Field validation texts (all errorCode 10003), by field. */
export const FieldText = {
  appid: { lack: "Lack of appid", invalidCmd: "Invalid appidid", invalidToken: "Invalid appid", notConfigured: "Invalid appid,maybe not config" },
  timeStamp: { lack: "Lack of timeStamp", invalid: "Invalid timeStamp" },
  token: { lack: "Lack of token", invalid: "Invalid token", invalidTokenCmd: " Invalid token" },
  id: { lack: "Lack of id", invalid: "Invalid id" },
  pwd: { lack: "Lack of pwd", invalid: "Invalid pwd" },
  role: { lack: "Lack of role", invalid: "Invalid role" },
  title: { lack: "Lack of title", invalid: " Invalid title" },
  cover: { invalid: " Invalid cover" },
  roomnum: { lack: "Lack of roomnum", invalid: "Invalid roomnum", invalidSpaced: " Invalid roomnum", listInvalid: "roomnum invalid" },
  operate: { lack: "Lack of operate", invalid: " Invalid operate" },
  index: { lack: "Lack of page index", invalid: "Page index should be a non-negative integer" },
  size: { lack: "Lack of page size", invalid: "Page size should be a positive integer(not larger than 50)" },
  fromTime: { listInvalid: "from_time invalid", invalid: "Invalid from_time" },
  toTime: { listInvalid: "to_time invalid", invalid: "Invalid to_time" },
  timeRange: { invalid: "from_time must less than to_time" },
  hostUid: { invalid: "host_uid invalid" },
  state: { invalid: "state invalid" },
  type: { lack: "Lack of type", invalid: "invalid type" },
  bucket: { invalid: "invalid bucket" },
  filePath: { lack: "Lack of file_path", invalid: "invalid file_path" },
  method: { lack: "Lack of method", invalid: "invalid method" },
  host: { lack: "Lack of host", invalid: "invalid host" },
  path: { lack: "Lack of path", invalid: "invalid path" },
  params: { lack: "Lack of params", invalid: "invalid params" },
  signatureMethod: { invalid: "invalid params.SignatureMethod" },
  action: { lack: "lack of params.Action", invalid: "invalid params.Action" },
  cosKey: { lack: "Lack of key", invalid: "invalid key" },
  // Tencent's recording callback (the original answered {"code":0} whatever was wrong; these are ours).
  eventType: { lack: "Lack of event_type", invalid: "Invalid event_type" },
  streamId: { lack: "Lack of stream_id", invalid: "Invalid stream_id" },
  startTime: { lack: "Lack of start_time", invalid: "Invalid start_time" },
  endTime: { lack: "Lack of end_time", invalid: "Invalid end_time" },
  mediaStartTime: { lack: "Lack of media_start_time", invalid: "Invalid media_start_time" },
  fileSize: { lack: "Lack of file_size", invalid: "Invalid file_size" },
  duration: { lack: "Lack of duration", invalid: "Invalid duration" },
  videoId: { lack: "Lack of video_id", invalid: "Invalid video_id" },
  videoUrl: { lack: "Lack of video_url", invalid: "Invalid video_url" },
  fileId: { invalid: "Invalid file_id" },
  fileFormat: { invalid: "Invalid file_format" },
  streamParam: { invalid: "Invalid stream_param", groupId: "Lack of stream_param.groupid or Invalid", userId: "Lack of stream_param.userid or Invalid" },
  // The replay index service's callback (protocol.md §10.3, the original's texts).
  srcRequest: { invalid: "Lack of SrcRequest or Invalid", undecodable: "decode SrcRequest failed.", groupId: "Lack of SrcRequest.GroupId or Invalid" },
  imErrorCode: { invalid: "Lack of ErrorCode or Invalid" },
  imErrorInfo: { invalid: "Lack of ErrorInfo or Invalid" },
  replayIndex: { invalid: "Lack of ReplayIndex or Invalid", fileUrl: "Lack of ReplayIndex.FileUrl or Invalid", createTime: "Lack of ReplayIndex.CreateTime or Invalid" },

  // The 随心播 live dialect (live-protocol.md §A.5), its own texts, leading spaces and typos included.
  live: {
    type: { lack: "Lack of type", invalid: " Invalid type" },
    token: { lack: "Lack of token", invalid: " Invalid token" },
    roomnum: { lack: "Lack of roomnum", invalid: "Invalid roomnum", invalidSpaced: " Invalid roomnum" },
    role: { lack: "Lack of role", invalid: "Invalid role", invalidSpaced: " Invalid role" },
    operate: { lack: "Lack of operate", invalid: " Invalid operate" },
    status: { lack: "Lack of status", invalid: " Invalid status" },
    // "Invalid appid": the live original's text for an app it had no keys for (not configured here).
    appid: { notConfigured: "Invalid appid" },
    room: {
      lack: "Lack of room.",
      title: "Title length too long.",
      cover: "Cover length too long.",
      type: { lack: "Lack of type.", invalid: "invalid type." },
      roomnum: { lack: "Lack of av room id.", invalid: "AV room id should be integer or string." },
      groupid: { lack: "Lack of chat room id.", invalid: "Chat room id should be string." },
      device: { lack: "Lack of device.", invalid: "device should be 0-IOS 1-Android  2-PC." },
      videotype: { lack: "Lack of videotype.", invalid: "videotype should be 0 or 1." },
      appid: { lack: "Lack of appid.", invalid: "appid should be integer or string." },
    },
    address: { invalid: "Address length too long." },
    // account.authPrivMap, account.verify, account.kickout (the live original's texts; the type checks it lacked are ours).
    identifier: { lack: "Lack of identifier", invalid: "Invalid identifier" },
    privMap: { invalid: "Invalid privMap" },
    accountType: { invalid: "Invalid accounttype" },
    sig: { lack: "Lack of sig", invalid: "Invalid sig" },
    kickid: { lack: "Lack of kickid", invalid: "Invalid kickid" },
    record: {
      roomnum: { lack: "lack of roomnum", invalid: "Invalid roomnum" },
      uid: { lack: "lack of uid", invalid: "invalid uid" },
      name: { lack: "lack of name", invalid: "invalid video name" },
      type: { lack: "Lack of type", invalid: "invalid of type" },
      cover: { invalid: "invalid cover" },
    },
    recordPageSize: { lack: "Lack of page size", invalid: "Page size should be a positive integer(not larger than 100)" },
    sUid: { invalid: "invalid s_uid" },
  },
  bindFile: {
    lack: "Lack of bind_file",
    invalid: "bind_file must be array",
    lackType: "Lack info bindfile.type",
    invalidType: "invalide bindfile.type",
    lackFileName: "Lack info bindfile.file_name",
    invalidFileName: "invalide bindfile.filename",
    lackUrl: "Lack info bindfile.url",
    invalidUrl: "invalide bindfile.url",
  },
} as const;

export const Errors = {
  invalidRequest: fail(ErrorCode.invalidRequest, "Invalid request."),
  requestJson: fail(ErrorCode.requestJson, "HTTP Request Json Parse Error"),
  bodyTooLarge: fail(ErrorCode.requestJson, "Request body too large", "bodyTooLarge"),
  bodyTimeout: fail(ErrorCode.requestJson, "Request body timed out", "bodyTimeout"),
  /** What Node's HTTP parser refuses before any door sees the request. */
  malformedHttp: fail(ErrorCode.requestJson, "Malformed HTTP request"),
  headersTooLarge: fail(ErrorCode.requestJson, "Request headers too large"),
  requestData: (info: string) => new AppError(ErrorCode.requestData, info),
  /** A token command without a token (protocol: 10003 in the envelope; REST: 401). */
  lackOfToken: fail(ErrorCode.requestData, "Lack of token", "credentials"),
  appidDiffersFromUser: fail(ErrorCode.requestData, "appid is diff from appid of the user."),

  userExists: fail(ErrorCode.userExists, "Register user id existed"),
  userNotExist: fail(ErrorCode.userNotExist, "User not exist"),
  hostUidNotExist: fail(ErrorCode.userNotExist, "check host_uid failed,msg:User not exist"),
  password: fail(ErrorCode.password, "User password error"),
  repeatLogout: fail(ErrorCode.repeatLogout, "Repeat logout"),
  tokenUnknown: fail(ErrorCode.tokenExpired, "Token expired", "credentials"),
  tokenExpired: fail(ErrorCode.tokenExpired, "User token expired", "credentials"),

  roomNotExist: fail(ErrorCode.roomNotExist, "get room info failed"),
  onlyTeacherCreates: fail(ErrorCode.noPrivilege, "only teacher can create a course."),
  onlyOwnerStarts: fail(ErrorCode.noPrivilege, " only the teacher who created the course can start it."),
  onlyOwnerEnds: fail(ErrorCode.noPrivilege, "only the teacher can end the course."),
  onlyOwnerBinds: fail(ErrorCode.noPrivilege, "only the teacher can bind/unbind a resource."),
  onlyMembersListMembers: fail(ErrorCode.noPrivilege, "only the teacher and members of the course can list its members."),
  onlyMembersQueryBindings: fail(ErrorCode.noPrivilege, "only the teacher and members of the course can query its bindings."),
  startNeedsCreated: fail(ErrorCode.roomState, " only state=created room can start a course"),
  exitNeedsLiving: fail(ErrorCode.roomState, "only state=living room can exit"),
  memberNeedsLiving: fail(ErrorCode.roomState, "can only enter/exit a state=living room"),
  bindNeedsOpenCourse: fail(ErrorCode.roomState, "only state=created/living room can bind resource"),
  imSendFailed: fail(ErrorCode.sendImMsg, "save info to imgroup failed."),
  repeatBind: fail(ErrorCode.repeatBind, "has binded."),
  notBound: fail(ErrorCode.resourceState, "the resource not binded"),
  repeatExit: fail(ErrorCode.repeatExit, "can not repeat exit a room."),

  unsupportedAction: fail(ErrorCode.noPrivilege, "Server internal error:unsupport action."),
  onlyOwnFilesSignedOnce: fail(ErrorCode.noPrivilege, "single-use signatures are only for files under your own folder."),
  onlyAppFilesSignedOnce: fail(ErrorCode.noPrivilege, "single-use signatures are only for files under your app's folder."),
  onlyOwnFolderAuthorized: fail(ErrorCode.noPrivilege, "only keys under your own folder can be authorized."),
  onlyTeacherProxiesVod: fail(ErrorCode.noPrivilege, "only teacher can call the vod command proxy."),
  onlyOwnMediaDeleted: fail(ErrorCode.noPrivilege, "only the teacher who uploaded a media can delete it."),
  /** Tencent answered an error or did not answer: its code (3000 if none) and message go back as data. */
  callQcloudFailed: (code: number, message: string) =>
    new AppError(ErrorCode.server, "Server internal error:call qcloud failed", "request", { code, message }),

  /** A Tencent callback without its signature, with one that does not match the callback key, expired, or valid too long. */
  callbackUnsigned: fail(ErrorCode.noPrivilege, "callback not signed", "credentials"),
  callbackSignMismatch: fail(ErrorCode.noPrivilege, "callback sign mismatch", "credentials"),
  callbackSignExpired: fail(ErrorCode.noPrivilege, "callback sign expired", "credentials"),
  callbackSignTooLong: fail(ErrorCode.noPrivilege, "callback sign expires too far ahead", "credentials"),
  recordingUserNotExist: fail(ErrorCode.userNotExist, "User not exist"),
  courseStateForIndex: fail(ErrorCode.roomState, "course state error"),
  onlyOwnerMakesReplayIndex: fail(ErrorCode.noPrivilege, "only the teacher who created the course can make its replay index."),
  replayIndexNeedsEnded: fail(ErrorCode.roomState, " only state=has_lived room can create replay idx file"),
  replayIndexWindow: fail(
    ErrorCode.roomState,
    "only now>can_trigger_replay_idx_time  and can_trigger_replay_idx_time>0 and trigger_replay_idx_time=0 can trigger replay idx",
  ),
  /** The index service failed: the original's text with its inner code (−2 no answer, −3 an error) and the service's code and text. */
  replayIndexRequestFailed: (result: number, code: number, info: string) =>
    new AppError(ErrorCode.sendImMsg, `send req to replay idex server failed,inner code ${result},idx server detail[code:${code},info:${info}]`),
  replayIndexNotReady: fail(ErrorCode.roomState, "the replay index is built once the class has ended."),
  replayIndexLinkInvalid: fail(ErrorCode.noPrivilege, "invalid replay index link.", "credentials"),

  liveRoomNotExist: fail(ErrorCode.liveRoomNotExist, "av room is not exist"),
  onlyHostReportsRoom: fail(ErrorCode.noPrivilege, "only the host can report the room."),
  onlyHostClosesRoom: fail(ErrorCode.noPrivilege, "only the host can close the room."),
  onlyOwnerRelays: fail(ErrorCode.noPrivilege, "only the teacher who created the course can record or push it."),
  relayNeedsLiving: fail(ErrorCode.roomState, "only state=living room can record or push"),
  relayBusy: fail(ErrorCode.roomState, "the course's recording or push is changing; try again"),
  /** Tencent's videorelay refused or did not answer: its code, the documented meaning and advice go back as data. */
  relayFailed: (what: "record" | "push", failure: { code: number; meaning: string; advice: string; action: string }) =>
    new AppError(ErrorCode.sendImMsg, `${what} request to Tencent failed,code:${failure.code},info:${failure.meaning}`, "request", {
      code: failure.code,
      meaning: failure.meaning,
      advice: failure.advice,
      action: failure.action,
    }),

  /** Over an abuse limit: `retryAfter` seconds until the next request is allowed. */
  tooManyRequests: (retryAfterS: number) => new AppError(ErrorCode.tooManyRequests, "Too many requests, try again later", "rateLimited", { retryAfter: retryAfterS }),

  sigVerifyFailed: fail(ErrorCode.requestData, "Sig verify failed!"),
  onlyAdminsKick: fail(ErrorCode.noPrivilege, "only configured admins can kick users out."),
  /** IM refused to end the user's login (or did not answer): its text, and the original's data. */
  kickoutFailed: (info: string, data: { kickID: string; holdSig: boolean }) => new AppError(ErrorCode.sendImMsg, `kick out failed: ${info}`, "request", data),
  coverSignOff: fail(ErrorCode.invalidRequest, "cos.get_sign is switched off"),
  linksigNotServed: fail(ErrorCode.invalidRequest, "linksig is not served: Tencent's cross-room link signature is made by a closed binary whose algorithm is not public"),

  /** The operator console (REST only): its session cookie, CSRF token and apps. */
  consoleSessionMissing: fail(ErrorCode.tokenExpired, "Console session required", "credentials"),
  consoleSessionExpired: fail(ErrorCode.tokenExpired, "Console session expired", "credentials"),
  consoleCsrf: fail(ErrorCode.noPrivilege, "CSRF token missing or wrong"),
  consoleAppRefused: fail(ErrorCode.noPrivilege, "this operator may not see that app"),

  server: fail(ErrorCode.server, "Server inner error"),
} as const;
