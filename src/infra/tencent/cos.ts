import { createHmac, randomInt } from "node:crypto";
import COS from "cos-nodejs-sdk-v5";

/**
 * COS signatures (spec/tencent-formats.md (d)). The JSON API v4 signature the apps' old
 * COS SDK expects is hand-written (cos-nodejs-sdk-v5's getV4Auth cannot make a true
 * single-use or empty-path one); the XML API v5 authorization is the SDK's own.
 */

export interface CloudCredentials {
  appId: number;
  secretId: string;
  secretKey: string;
}

/**
 * v4: `base64(HMAC-SHA1(secretKey, plain) ‖ plain)` with
 * `plain = a=<appid>&k=<secretId>&e=<expiry>&t=<now>&r=<random>&f=<fileid>&b=<bucket>`.
 * Multi-use: `e` the absolute expiry, `f` the path or empty. Single-use: `e=0`, `f=/<appid>/<bucket>/<path>`.
 */
export function cosV4Signature(
  credentials: CloudCredentials,
  request: { bucket: string; expiresAt: number; fileId: string; now: number; random?: number },
): string {
  const random = request.random ?? randomInt(0, 2147483648);
  const plain = `a=${credentials.appId}&k=${credentials.secretId}&e=${request.expiresAt}&t=${request.now}&r=${random}&f=${request.fileId}&b=${request.bucket}`;
  const mac = createHmac("sha1", credentials.secretKey).update(plain, "utf8").digest();
  return Buffer.concat([mac, Buffer.from(plain, "utf8")]).toString("base64");
}

/** The v4 `f` of a single-use signature: `/<appid>/<bucket>/<path>`. */
export const cosV4OnceFileId = (appId: number, bucket: string, path: string): string => `/${appId}/${bucket}${path}`;

/** v5 (XML API) authorization of one request: method and object key, no headers or query, valid `expiresS` from now. */
export type CosMethod = "GET" | "PUT" | "POST" | "DELETE";

export function cosV5Authorization(credentials: CloudCredentials, request: { method: CosMethod; key: string; expiresS: number; now?: number }): string {
  const start = request.now ?? Math.floor(Date.now() / 1000);
  return COS.getAuthorization({
    SecretId: credentials.secretId,
    SecretKey: credentials.secretKey,
    Method: request.method,
    Key: request.key,
    KeyTime: `${start};${start + request.expiresS}`,
  });
}
