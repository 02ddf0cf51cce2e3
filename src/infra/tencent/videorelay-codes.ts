/**
 * The result codes of the ILVB backend API `videorelay` (../shared/seeds/ilvb-backend-api-videorelay-zh.md,
 * "错误码说明"; spec/videorelay.md §B): the common header's `uint32_result` (−1…−5) and the
 * business codes of recording (0x5) and relay push (0x6), each with its documented meaning
 * and advice (as Tencent wrote them) and what a caller should do about it.
 */

/** What to do about a code: fix the request, retry later, check the room and user, or ask Tencent. */
export type RelayAction = "fix-request" | "retry" | "check-room" | "contact-tencent" | "check-account" | "none";

export interface RelayCode {
  meaning: string;
  advice: string;
  action: RelayAction;
}

const FIELDS = "推流请求字段填写是否完整";
const RECORD_FIELDS = "录制请求字段填写是否完整";
const TENCENT = "反馈腾讯客服";
const RETRY = "可能是网络问题，重试处理，重试失败反馈腾讯客服";
const PUSH_ROOM = "检查是否成功开房，推流的用户ID，groupid是否填写正确";
const RECORD_ROOM = "检查是否成功开房，录制的用户ID，groupid是否填写正确";

const code = (meaning: string, advice: string, action: RelayAction): RelayCode => ({ meaning, advice, action });

/** The common header's `uint32_result` (non-business failures). */
export const HEADER_RESULTS: ReadonlyMap<number, RelayCode> = new Map([
  [-1, code("解包错误", "检查请求包体是否为合法 JSON", "fix-request")],
  [-2, code("包体错误", "检查请求包体的字段", "fix-request")],
  [-3, code("内部服务失败", "重试处理，重试失败反馈腾讯客服", "retry")],
  [-4, code("包头校验失败", "检查 reqhead 的字段（子命令、群组号码、sdkappid、rpt_to_Account）", "fix-request")],
  [-5, code("av_token校验不通过", "后台操作无需填写 str_av_token", "fix-request")],
]);

/** 0x6 relay push (旁路推流). */
export const PUSH_CODES: ReadonlyMap<number, RelayCode> = new Map([
  [40000000, code("SDK请求解析失败", FIELDS, "fix-request")],
  [40000001, code("SDK请求解析失败-没有推流请求包体", FIELDS, "fix-request")],
  [40000002, code("SDK请求解析失败-没有推流请求操作字段", FIELDS, "fix-request")],
  [40000003, code("SDK请求解析失败-缺少推流请求的输出编码（HLS/RTMP等）", FIELDS, "fix-request")],
  [40000004, code("SDK请求解析失败-视频源类型错误（摄像头/桌面等）", FIELDS, "fix-request")],
  [40000005, code("SDK请求解析失败-请求操作错误（请求推流、停止推流）", FIELDS, "fix-request")],
  [40000201, code("请求服务器内部数据打包错误", TENCENT, "contact-tencent")],
  [40000202, code("请求服务器内部数据打包错误", TENCENT, "contact-tencent")],
  [40000203, code("请求服务器内部数据打包错误", TENCENT, "contact-tencent")],
  [40000207, code("请求推流服务器通讯错误-拉取推流服务器地址失败", RETRY, "retry")],
  [40000208, code("请求推流服务器通讯错误-请求推流服务器超时", RETRY, "retry")],
  [40000301, code("解析推流服务器回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [40000302, code("解析推流服务器回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [40000303, code("解析推流服务器回包错误-没有返回IP", TENCENT, "contact-tencent")],
  [40000304, code("解析推流服务器回包错误-没有返回端口", TENCENT, "contact-tencent")],
  [40000305, code("解析推流服务器回包错误-没有返回结果", TENCENT, "contact-tencent")],
  [40000306, code("解析推流服务器回包错误-返回url长度溢出", TENCENT, "contact-tencent")],
  [40000401, code("查询房间获取grocery服务IP错误", RETRY, "retry")],
  [40000402, code("查询房间拉取grocery数据错误", RETRY, "retry")],
  [40000403, code("查询房间拉取grocery不存在（请求推流的房间不存在）", PUSH_ROOM, "check-room")],
  [40000404, code("查询房间流控服务器超时", RETRY, "retry")],
  [40000405, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [40000406, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [40000407, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [40000408, code("查询房间回包错误-没有返回结果", TENCENT, "contact-tencent")],
  [40000409, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [40000410, code("请求推流的房间不存在", PUSH_ROOM, "check-room")],
  [40000411, code("发起推流用户不在房间内", PUSH_ROOM, "check-room")],
  [40000412, code("停止推流重复发送，用户已经停止推流", "如果是推流停止操作说明已经停止，重复停止操作，无需处理", "none")],
  [40000413, code("停止推流重复发送，用户已经停止推流", "如果是推流停止操作说明已经停止，无需处理", "none")],
  [40000414, code("查询房间-服务器内部操作类型错误", RETRY, "retry")],
  [40000415, code("启动推流重复发送，用户正在推流", "如果是推流启动操作说明已经是在推流状态，无需处理", "none")],
  [1001, code("权限错误", "一般是sdkappid填写错误导致", "check-account")],
  [20101, code("通道数超过上限", "推流通道数存在上限，在推流控制台检查并删除无用的通道", "check-account")],
  [20406, code("用户欠费", "检查是否已欠费", "check-account")],
]);

/** 0x5 recording (录制). Codes 1 and 2 come from zhaoyang21cn/suixinbo_doc doc2/record.md. */
export const RECORD_CODES: ReadonlyMap<number, RelayCode> = new Map([
  [30000000, code("SDK请求解析失败", RECORD_FIELDS, "fix-request")],
  [30000001, code("SDK请求解析失败-没有录制请求包体", RECORD_FIELDS, "fix-request")],
  [30000002, code("SDK请求解析失败-没有录制文件名字段", RECORD_FIELDS, "fix-request")],
  [30000003, code("SDK请求解析失败-没有录制请求操作字段", RECORD_FIELDS, "fix-request")],
  [30000004, code("SDK请求解析失败-视频源类型错误（摄像头/桌面等）", RECORD_FIELDS, "fix-request")],
  [30000201, code("请求服务器内部数据打包错误", TENCENT, "contact-tencent")],
  [30000202, code("请求服务器内部数据打包错误", TENCENT, "contact-tencent")],
  [30000203, code("请求服务器内部数据打包错误", TENCENT, "contact-tencent")],
  [30000207, code("请求录制服务器通讯错误-拉取录制服务器地址失败", TENCENT, "contact-tencent")],
  [30000208, code("请求录制服务器通讯错误-请求录制服务器超时", RETRY, "retry")],
  [30000301, code("解析录制服务器回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [30000302, code("解析录制服务器回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [30000303, code("解析录制服务器回包错误-没有返回IP", TENCENT, "contact-tencent")],
  [30000304, code("解析录制服务器回包错误-没有返回端口", TENCENT, "contact-tencent")],
  [30000305, code("解析录制服务器回包错误-没有返回结果", TENCENT, "contact-tencent")],
  [30000401, code("查询房间获取grocery服务IP错误", RETRY, "retry")],
  [30000402, code("查询房间拉取grocery数据错误", RETRY, "retry")],
  [30000403, code("查询房间拉取grocery不存在（房间不存在）", RECORD_ROOM, "check-room")],
  [30000404, code("查询房间流控服务器超时", RETRY, "retry")],
  [30000405, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [30000406, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [30000407, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [30000408, code("查询房间回包错误-没有返回结果", TENCENT, "contact-tencent")],
  [30000409, code("查询房间回包错误-数据包解析失败", TENCENT, "contact-tencent")],
  [30000410, code("录制的房间不存在", RECORD_ROOM, "check-room")],
  [30000411, code("录制的房间不存在，或发起录制的用户不存在", RECORD_ROOM, "check-room")],
  [30000412, code("停止录制重复发送，用户已经停止录制", "如果是录制停止操作说明已经停止，检查是否多次发送停止操作，无需处理", "none")],
  [30000413, code("停止录制重复发送，用户已经停止录制", "如果是录制停止操作说明已经停止，检查是否多次发送停止操作，无需处理", "none")],
  [30000414, code("查询房间-服务器内部操作类型错误", TENCENT, "contact-tencent")],
  [30000415, code("启动录制重复发送，用户正在录制；或者发起录制的用户不存在", RECORD_ROOM, "none")],
  [1, code("没有录制权限", "在控制台开通录制", "check-account")],
  [2, code("点播余额不足", "检查点播服务余额", "check-account")],
]);

/** Codes that mean the operation already holds (the stop or start was done before): success for an idempotent caller. */
export const ALREADY_DONE = {
  record: { start: [30000415], stop: [30000412, 30000413] },
  push: { start: [40000415], stop: [40000412, 40000413] },
} as const;

/** The meaning of a code of one sub-command (push also knows the account codes 1001, 20101, 20406). */
export function relayCodeOf(kind: "record" | "push", result: number): RelayCode {
  const table = kind === "record" ? RECORD_CODES : PUSH_CODES;
  return table.get(result) ?? PUSH_CODES.get(result) ?? code(`未知错误码 ${result}`, TENCENT, "contact-tencent");
}
