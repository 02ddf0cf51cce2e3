import { createHmac } from "node:crypto";
import { deflateSync } from "node:zlib";

import { samePairs } from "./signed-text";

/**
 * Tencent IM userSig v2 (TLSSigAPIv2): HMAC-SHA256 over the identity fields with the
 * app's secret key, as JSON, zlib-deflated, base64 with `+/=` → `*-_`.
 * Format: spec/tencent-formats.md (e); reference tencentyun/tls-sig-api-v2-node.
 * IM rebuilds the signed text from the JSON's fields, one `name:value` line each: an
 * identifier with a newline could make the text of this identity that of another (another
 * user, another expiry), so the text must read back as exactly the four fields, and the
 * identifier carries no control character (C0 or DEL: what registration refuses in ids,
 * so that every registered user can log in); any other text is signed as UTF-8.
 */
export function genUserSig(args: {
  sdkAppId: number;
  secretKey: string;
  identifier: string;
  expireSeconds: number;
  now?: number;
}): string {
  const time = args.now ?? Math.floor(Date.now() / 1000);
  const content =
    `TLS.identifier:${args.identifier}\n` +
    `TLS.sdkappid:${args.sdkAppId}\n` +
    `TLS.time:${time}\n` +
    `TLS.expire:${args.expireSeconds}\n`;
  const fields: Array<[string, string]> = [
    ["TLS.identifier", args.identifier],
    ["TLS.sdkappid", String(args.sdkAppId)],
    ["TLS.time", String(time)],
    ["TLS.expire", String(args.expireSeconds)],
  ];
  if (args.identifier === "" || !args.identifier.isWellFormed() || CONTROL.test(args.identifier) || !samePairs(readLines(content), fields)) {
    throw new Error("an IM identifier that cannot be signed");
  }
  const sig = createHmac("sha256", args.secretKey).update(content).digest("base64");
  const doc = {
    "TLS.ver": "2.0",
    "TLS.identifier": args.identifier,
    "TLS.sdkappid": args.sdkAppId,
    "TLS.expire": args.expireSeconds,
    "TLS.time": time,
    "TLS.sig": sig,
  };
  return deflateSync(Buffer.from(JSON.stringify(doc))).toString("base64").replace(/\+/g, "*").replace(/\//g, "-").replace(/=/g, "_");
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The userSig text as IM reads it: `name:value` lines, each split on its first `:`. */
function readLines(content: string): Array<[string, string | undefined]> {
  const lines = content.split("\n");
  if (lines.pop() !== "") return [];
  return lines.map((line): [string, string | undefined] => {
    const colon = line.indexOf(":");
    return colon < 0 ? [line, undefined] : [line.slice(0, colon), line.slice(colon + 1)];
  });
}

const ADMIN_SIG_LIFETIME_S = 86400;

/** The apps' admin userSigs for server-to-Tencent calls: generated once, renewed at half their life, never logged. */
export class AdminSigs {
  private readonly sigs = new Map<number, { sig: string; renewAt: number }>();

  of(app: { sdkAppId: number; secretKey: string; admin: string }): string {
    const now = Date.now();
    const cached = this.sigs.get(app.sdkAppId);
    if (cached && cached.renewAt > now) return cached.sig;
    const sig = genUserSig({ sdkAppId: app.sdkAppId, secretKey: app.secretKey, identifier: app.admin, expireSeconds: ADMIN_SIG_LIFETIME_S });
    this.sigs.set(app.sdkAppId, { sig, renewAt: now + (ADMIN_SIG_LIFETIME_S * 1000) / 2 });
    return sig;
  }
}
