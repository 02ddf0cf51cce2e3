import { createHmac, timingSafeEqual } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";

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
export function genUserSig(args: { sdkAppId: number; secretKey: string; identifier: string; expireSeconds: number; now?: number }): string {
  return genSig(args, undefined);
}

/**
 * Tencent's privilege map key (the apps' `privMapEncrypt`, TLSSigAPIv2 genPrivateMapKey): a userSig
 * v2 whose `TLS.userbuf` says which room the user may enter, until when (now + `expireSeconds`),
 * with which privileges and account type. The userbuf is laid out as TLSSigAPIv2 does (version 0):
 * the identifier is written as UTF-8 (the same bytes for the ASCII ids that library handles).
 */
export function genPrivateMapKey(args: {
  sdkAppId: number;
  secretKey: string;
  identifier: string;
  expireSeconds: number;
  roomnum: number;
  privilegeMap: number;
  accountType: number;
  now?: number;
}): string {
  const now = args.now ?? Math.floor(Date.now() / 1000);
  const account = Buffer.from(args.identifier, "utf8");
  const userbuf = Buffer.alloc(1 + 2 + account.length + 20);
  let offset = userbuf.writeUInt8(0, 0);
  offset = userbuf.writeUInt16BE(account.length, offset);
  offset += account.copy(userbuf, offset);
  offset = userbuf.writeUInt32BE(args.sdkAppId, offset);
  offset = userbuf.writeUInt32BE(args.roomnum, offset);
  offset = userbuf.writeUInt32BE(now + args.expireSeconds, offset);
  offset = userbuf.writeUInt32BE(args.privilegeMap, offset);
  userbuf.writeUInt32BE(args.accountType, offset);
  return genSig({ ...args, now }, userbuf.toString("base64"));
}

/** The signed document, its fields in TLSSigAPIv2's order (byte for byte what that library makes). */
function genSig(args: { sdkAppId: number; secretKey: string; identifier: string; expireSeconds: number; now?: number }, userbuf: string | undefined): string {
  const time = args.now ?? Math.floor(Date.now() / 1000);
  const fields: Array<[string, string]> = [
    ["TLS.identifier", args.identifier],
    ["TLS.sdkappid", String(args.sdkAppId)],
    ["TLS.time", String(time)],
    ["TLS.expire", String(args.expireSeconds)],
    ...(userbuf === undefined ? [] : [["TLS.userbuf", userbuf] as [string, string]]),
  ];
  const content = fields.map(([name, value]) => `${name}:${value}\n`).join("");
  if (args.identifier === "" || !args.identifier.isWellFormed() || CONTROL.test(args.identifier) || !samePairs(readLines(content), fields)) {
    throw new Error("an IM identifier that cannot be signed");
  }
  const doc = {
    "TLS.ver": "2.0",
    "TLS.identifier": args.identifier,
    "TLS.sdkappid": args.sdkAppId,
    "TLS.time": time,
    "TLS.expire": args.expireSeconds,
    ...(userbuf === undefined ? {} : { "TLS.userbuf": userbuf }),
    "TLS.sig": createHmac("sha256", args.secretKey).update(content).digest("base64"),
  };
  return deflateSync(Buffer.from(JSON.stringify(doc))).toString("base64").replace(/\+/g, "*").replace(/\//g, "-").replace(/=/g, "_");
}

/**
 * Whether `sig` is a userSig v2 of this app for `identifier`, signed with the app's key and not
 * expired (account.verify): the document reversed, its HMAC recomputed over the fields it carries.
 */
export function isValidUserSig(sig: string, app: { sdkAppId: number; secretKey: string }, identifier: string, nowS = Math.floor(Date.now() / 1000)): boolean {
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(inflateSync(Buffer.from(sig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "="), "base64")).toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return false;
    doc = parsed as Record<string, unknown>;
  } catch {
    return false;
  }
  const { "TLS.identifier": id, "TLS.sdkappid": appId, "TLS.time": time, "TLS.expire": expire, "TLS.sig": mac, "TLS.userbuf": userbuf } = doc;
  if (doc["TLS.ver"] !== "2.0" || id !== identifier || appId !== app.sdkAppId || typeof time !== "number" || typeof expire !== "number" || typeof mac !== "string") return false;
  if (userbuf !== undefined && typeof userbuf !== "string") return false;
  const content = `TLS.identifier:${id}\nTLS.sdkappid:${appId}\nTLS.time:${time}\nTLS.expire:${expire}\n${userbuf === undefined ? "" : `TLS.userbuf:${userbuf}\n`}`;
  const expected = createHmac("sha256", app.secretKey).update(content).digest();
  const claimed = Buffer.from(mac, "base64");
  return claimed.length === expected.length && timingSafeEqual(claimed, expected) && time + expire >= nowS;
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
