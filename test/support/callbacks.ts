import { createHash } from "node:crypto";

/**
 * Tencent's callback signatures, computed here with node:crypto as Tencent computes them
 * (never with the server's code): live/recording callbacks carry `t` (expiry) and
 * sign = md5(key + t); IM callbacks carry Sign = sha256(token + RequestTime) in their URL.
 */

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** `t` and `sign` of a live callback; `t` defaults to ten minutes from now (Tencent's default). */
export function liveCallbackSignature(key: string, t = nowSeconds() + 600): { t: number; sign: string } {
  return { t, sign: createHash("md5").update(`${key}${t}`).digest("hex") };
}

/** The query IM appends to a callback URL with callback authentication on. */
export function imCallbackQuery(token: string, requestTime = nowSeconds(), sdkAppId = 1400000001): Record<string, string> {
  return {
    SdkAppid: String(sdkAppId),
    CallbackCommand: "Replay.IndexFileBuilt",
    contenttype: "json",
    ClientIP: "127.0.0.1",
    OptPlatform: "RESTAPI",
    RequestTime: String(requestTime),
    Sign: createHash("sha256").update(`${token}${requestTime}`).digest("hex"),
  };
}

/**
 * A recording file as Tencent's ILVB bypass recording posts it (the fields of a real 2017 payload),
 * naming the class `roomnum` and the pushing user `uid` in `stream_param`, signed with `key`.
 */
export function recordingFileEvent(roomnum: number, uid: string, key: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    appid: 1252033264,
    channel_id: "2121_15919131751",
    duration: 7,
    end_time: 1500000013,
    event_type: 100,
    file_format: "flv",
    file_id: "9031868222958931071",
    file_size: 437351,
    media_start_time: 12345,
    record_file_id: "9031868222958931071",
    start_time: 1500000006,
    stream_id: "2121_15919131751",
    stream_param: `bizid=2121&txSecret=2a53&txTime=59c91b10&groupid=${roomnum}&userid=${Buffer.from(uid, "utf8").toString("base64")}&record=flv`,
    task_id: "1618906542",
    video_id: "200025724_ac92b781a22c4a3e937c9e61c2624af7",
    video_url: "http://200025724.vod.myqcloud.com/200025724_ac92b781a22c4a3e937c9e61c2624af7.f0.flv",
    ...liveCallbackSignature(key),
    ...overrides,
  };
}
