import { createHmac, timingSafeEqual } from "node:crypto";
import { inflateSync } from "node:zlib";

/**
 * Tencent's check of an IM userSig v2, written from Tencent's published format
 * (TLSSigAPIv2), independently of the server's generator: reverse the URL-safe base64,
 * inflate, recompute the HMAC-SHA256 over the identity fields, check identity and expiry.
 */

export type UserSigVerdict =
  | { ok: true; identifier: string; sdkAppId: number; time: number; expire: number; userbuf: Buffer | undefined }
  /** Tencent's account error codes: 70001 expired, 70003 unreadable, 70009 bad signature, 70013 / 70014 another identity. */
  | { ok: false; errorCode: 70001 | 70003 | 70009 | 70013 | 70014; errorInfo: string };

interface SigDocument {
  "TLS.ver"?: unknown;
  "TLS.identifier"?: unknown;
  "TLS.sdkappid"?: unknown;
  "TLS.time"?: unknown;
  "TLS.expire"?: unknown;
  "TLS.sig"?: unknown;
  "TLS.userbuf"?: unknown;
}

function decode(sig: string): SigDocument | undefined {
  try {
    const base64 = sig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "=");
    const doc: unknown = JSON.parse(inflateSync(Buffer.from(base64, "base64")).toString("utf8"));
    return typeof doc === "object" && doc !== null ? doc : undefined;
  } catch {
    return undefined;
  }
}

const unreadable = { ok: false, errorCode: 70003, errorInfo: "UserSig parse failed" } as const;

export function verifyUserSig(sig: string, secretKey: string, expected: { identifier: string; sdkAppId: number }, nowS = Math.floor(Date.now() / 1000)): UserSigVerdict {
  const doc = decode(sig);
  if (!doc) return unreadable;
  const { "TLS.identifier": identifier, "TLS.sdkappid": sdkAppId, "TLS.time": time, "TLS.expire": expire, "TLS.sig": mac } = doc;
  if (doc["TLS.ver"] !== "2.0" || typeof identifier !== "string" || typeof sdkAppId !== "number" || typeof time !== "number" || typeof expire !== "number" || typeof mac !== "string") {
    return unreadable;
  }
  let content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkAppId}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  if (typeof doc["TLS.userbuf"] === "string") content += `TLS.userbuf:${doc["TLS.userbuf"]}\n`;
  const actual = createHmac("sha256", secretKey).update(content).digest();
  const claimed = Buffer.from(mac, "base64");
  if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) return { ok: false, errorCode: 70009, errorInfo: "UserSig verification failed" };
  if (identifier !== expected.identifier) return { ok: false, errorCode: 70013, errorInfo: "identifier does not match the UserSig" };
  if (sdkAppId !== expected.sdkAppId) return { ok: false, errorCode: 70014, errorInfo: "SDKAppID does not match the UserSig" };
  if (time + expire < nowS) return { ok: false, errorCode: 70001, errorInfo: "UserSig expired" };
  const userbuf = typeof doc["TLS.userbuf"] === "string" ? Buffer.from(doc["TLS.userbuf"], "base64") : undefined;
  return { ok: true, identifier, sdkAppId, time, expire, userbuf };
}

/** A privilege map key's userbuf, as TLSSigAPIv2 lays it out (version 0, big-endian). */
export interface PrivilegeMap {
  account: string;
  sdkAppId: number;
  roomnum: number;
  /** Unix seconds. */
  expiresAt: number;
  privileges: number;
  accountType: number;
}

export function readPrivilegeMap(userbuf: Buffer): PrivilegeMap | undefined {
  if (userbuf.length < 3 || userbuf[0] !== 0) return undefined;
  const accountLength = userbuf.readUInt16BE(1);
  if (userbuf.length !== 3 + accountLength + 20) return undefined;
  const at = 3 + accountLength;
  return {
    account: userbuf.subarray(3, at).toString("utf8"),
    sdkAppId: userbuf.readUInt32BE(at),
    roomnum: userbuf.readUInt32BE(at + 4),
    expiresAt: userbuf.readUInt32BE(at + 8),
    privileges: userbuf.readUInt32BE(at + 12),
    accountType: userbuf.readUInt32BE(at + 16),
  };
}

/** The privileges a client asks for when it enters an AV room: to create it (bit 0) or to enter it (bit 1). */
export const ROOM_PRIVILEGE = { create: 1, enter: 2 } as const;

/**
 * Tencent's check of a privilege map key when a client enters an AV room with it: a valid
 * userSig v2 of the app for that user, whose userbuf names the same user and app, this room,
 * not yet expired, with the privilege asked for.
 */
export function verifyPrivateMapKey(
  key: string,
  secretKey: string,
  expected: { identifier: string; sdkAppId: number; roomnum: number; privilege: number },
  nowS = Math.floor(Date.now() / 1000),
): { ok: true } | { ok: false; errorCode: number; errorInfo: string } {
  const verdict = verifyUserSig(key, secretKey, expected, nowS);
  if (!verdict.ok) return verdict;
  const map = verdict.userbuf && readPrivilegeMap(verdict.userbuf);
  if (!map) return { ok: false, errorCode: 70003, errorInfo: "the privilege map key carries no privilege map" };
  if (map.account !== expected.identifier || map.sdkAppId !== expected.sdkAppId) return { ok: false, errorCode: 70013, errorInfo: "the privilege map key is another user's" };
  if (map.roomnum !== expected.roomnum) return { ok: false, errorCode: 70004, errorInfo: "the privilege map key is for another room" };
  if (map.expiresAt < nowS) return { ok: false, errorCode: 70001, errorInfo: "the privilege map key has expired" };
  if ((map.privileges & expected.privilege) === 0) return { ok: false, errorCode: 70005, errorInfo: "the privilege map key does not allow this" };
  return { ok: true };
}
