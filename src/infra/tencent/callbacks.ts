import { createHash, timingSafeEqual } from "node:crypto";

/**
 * What Tencent's callbacks carry, in Tencent's formats (tencent-formats.md §(a)):
 * live/recording callbacks sign `sign = md5(key + t)` (t: when the signature expires);
 * IM callbacks, with callback authentication on, append `Sign = sha256(token + RequestTime)`
 * and `RequestTime` to the callback URL (IM's console: "回调鉴权").
 */

/** The sign a live (CSS) callback carries: lower-case hex md5 of the key and the decimal `t`. */
export const liveCallbackSign = (key: string, t: number): string => createHash("md5").update(`${key}${t}`).digest("hex");

/** The Sign an IM callback's URL carries: lower-case hex sha256 of the token and the decimal RequestTime. */
export const imCallbackSign = (token: string, requestTime: number): string => createHash("sha256").update(`${token}${requestTime}`).digest("hex");

/** Constant-time comparison of a hex digest with what the caller sent (letter case ignored). */
export function sameDigest(expected: string, sent: string): boolean {
  const a = Buffer.from(expected.toLowerCase());
  const b = Buffer.from(sent.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The class and the pushing user a recording's `stream_param` names (the original's convention, protocol.md §9). */
export interface StreamParam {
  groupId: string | undefined;
  /** `userid`, base64-decoded; undefined when absent or not valid base64 text. */
  uid: string | undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses the push URL's query. An unencoded `+` in `userid` reaches us as a space after
 * URL-decoding (the original then failed); base64 has no spaces, so it is put back.
 */
export function parseStreamParam(streamParam: string): StreamParam {
  const params = new URLSearchParams(streamParam);
  const groupId = params.get("groupid") ?? undefined;
  const userid = params.get("userid")?.replace(/ /g, "+");
  return { groupId, uid: userid !== undefined && userid.length % 4 === 0 && BASE64.test(userid) ? decodeBase64Text(userid) : undefined };
}

function decodeBase64Text(value: string): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(value, "base64"));
  } catch {
    return undefined;
  }
}
