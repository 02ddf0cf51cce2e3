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
