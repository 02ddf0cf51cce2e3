import { createHash, createHmac, randomInt } from "node:crypto";
import COS from "cos-nodejs-sdk-v5";
import { hasInvisible, readPairs, samePairs, UnsignableError } from "./signed-text";

/**
 * COS signatures (spec/tencent-formats.md (d)). The JSON API v4 signature the apps' old
 * COS SDK expects is hand-written (cos-nodejs-sdk-v5's getV4Auth cannot make a true
 * single-use or empty-path one); the XML API v5 authorization is the SDK's own, bound to
 * the bucket's host. Each is made only when its text, read back as COS reads it, names
 * exactly the bucket and object allowed (signed-text.ts).
 */

export interface CloudCredentials {
  appId: number;
  secretId: string;
  secretKey: string;
}

/**
 * Characters no signed object path carries: `&` and `=` delimit the v4 text; `%` would
 * read differently by the signers that URL-decode `f` and those that do not (and hides
 * `..` and `/`); `\` is a `/` to some HTTP stacks; `+` is a space to form decoders; `?`
 * and `#` end a URL's path. Non-ASCII letters (courseware names) are signed as UTF-8.
 */
const COS_PATH_FORBIDDEN = /[&=?#%\\+]/;

/**
 * An object path as COS names it: one leading `/`, then segments, none empty (but a
 * trailing `/`, a folder), `.` or `..`, and none of the characters above or invisible
 * ones. UnsignableError(field) otherwise.
 */
export function cosObjectPath(path: string, field: "filePath" | "key"): string {
  const normalized = path.startsWith("/") ? path : `/${path}`;
  if (COS_PATH_FORBIDDEN.test(normalized) || hasInvisible(normalized)) throw new UnsignableError(field, "a character COS readers differ on");
  const segments = normalized.slice(1).split("/");
  if (segments.some((segment, i) => segment === "." || segment === ".." || (segment === "" && i < segments.length - 1))) {
    throw new UnsignableError(field, "a dot or empty segment");
  }
  return normalized;
}

const decodesToItself = (text: string): boolean => {
  try {
    return decodeURIComponent(text) === text;
  } catch {
    return false;
  }
};

/**
 * v4: `base64(HMAC-SHA1(secretKey, plain) ‖ plain)` with
 * `plain = a=<appid>&k=<secretId>&e=<expiry>&t=<now>&r=<random>&f=<fileid>&b=<bucket>`.
 * Multi-use: `e` the absolute expiry, `f` the path or empty. Single-use: `e=0`, `f=/<appid>/<bucket>/<path>`.
 * The text must read back (split on `&` and each pair's first `=`, every value the same
 * whether URL-decoded or not) as exactly these seven fields, each once.
 */
export function cosV4Signature(
  credentials: CloudCredentials,
  request: { bucket: string; expiresAt: number; fileId: string; now: number; random?: number },
): string {
  const random = request.random ?? randomInt(0, 2147483648);
  const fields: Array<[string, string]> = [
    ["a", String(credentials.appId)],
    ["k", credentials.secretId],
    ["e", String(request.expiresAt)],
    ["t", String(request.now)],
    ["r", String(random)],
    ["f", request.fileId],
    ["b", request.bucket],
  ];
  const plain = fields.map(([key, value]) => `${key}=${value}`).join("&");
  const read = readPairs(plain);
  if (!samePairs(read, fields) || !fields.every(([, value]) => decodesToItself(value))) {
    const bucketAlone = readPairs(`b=${request.bucket}`);
    throw new UnsignableError(bucketAlone.length === 1 && decodesToItself(request.bucket) ? "filePath" : "bucket", "the text names another file or bucket");
  }
  const mac = createHmac("sha1", credentials.secretKey).update(plain, "utf8").digest();
  return Buffer.concat([mac, Buffer.from(plain, "utf8")]).toString("base64");
}

/** The v4 `f` of a single-use signature: `/<appid>/<bucket>/<path>`. */
export const cosV4OnceFileId = (appId: number, bucket: string, path: string): string => `/${appId}/${bucket}${path}`;

/**
 * The XML API's name of a region the JSON API (and COS_REGION's default) names by its
 * short name, from COS's region list; any other name is taken as the XML API's already.
 */
const XML_API_REGIONS: Readonly<Record<string, string>> = {
  sh: "ap-shanghai",
  gz: "ap-guangzhou",
  tj: "ap-beijing-1",
  cd: "ap-chengdu",
  sgp: "ap-singapore",
  hk: "ap-hongkong",
  ca: "na-toronto",
  ger: "eu-frankfurt",
  "cn-east": "ap-shanghai",
  "cn-south": "ap-guangzhou",
  "cn-north": "ap-beijing-1",
  "cn-southwest": "ap-chengdu",
  sg: "ap-singapore",
};

export const cosXmlRegion = (region: string): string => XML_API_REGIONS[region] ?? region;

/** The host of a bucket (`<name>-<appid>`) on the XML API. */
export const cosBucketHost = (bucket: string, region: string): string => `${bucket}.cos.${cosXmlRegion(region)}.myqcloud.com`;

/** v5 (XML API) authorization of one request: method, object key and the bucket's host, no query, valid `expiresS` from now. */
export type CosMethod = "GET" | "PUT" | "POST" | "DELETE";

/** COS's encoding of signed names and values (the SDK's camSafeUrlEncode). */
const camSafe = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function cosV5Authorization(
  credentials: CloudCredentials,
  request: { method: CosMethod; bucket: string; region: string; key: string; expiresS: number; now?: number },
): string {
  const start = request.now ?? Math.floor(Date.now() / 1000);
  const keyTime = `${start};${start + request.expiresS}`;
  const host = cosBucketHost(request.bucket, request.region);
  const authorization = COS.getAuthorization({
    SecretId: credentials.secretId,
    SecretKey: credentials.secretKey,
    Method: request.method,
    Key: request.key,
    KeyTime: keyTime,
    Headers: { host },
  });
  checkV5SignedAsRead(authorization, { ...request, keyTime, host, secretId: credentials.secretId, secretKey: credentials.secretKey });
  return authorization;
}

/**
 * The v5 round trip: the authorization's fields are exactly these (the host the only
 * header signed, no query parameter), the text COS rebuilds (method, path, query, headers,
 * one a line) reads back as this method, `/<key>` and host, and the SDK's signature is of
 * that text.
 */
function checkV5SignedAsRead(
  authorization: string,
  signed: { method: CosMethod; key: string; keyTime: string; host: string; secretId: string; secretKey: string },
): void {
  const httpString = `${signed.method.toLowerCase()}\n/${signed.key}\n\nhost=${camSafe(signed.host)}\n`;
  const lines = httpString.split("\n");
  if (lines.length !== 5 || lines[1] !== `/${signed.key}` || lines[3] !== `host=${camSafe(signed.host)}`) throw new UnsignableError("key", "the text names another object");
  const signKey = createHmac("sha1", signed.secretKey).update(signed.keyTime).digest("hex");
  const stringToSign = `sha1\n${signed.keyTime}\n${createHash("sha1").update(httpString).digest("hex")}\n`;
  const expected: Array<[string, string]> = [
    ["q-sign-algorithm", "sha1"],
    ["q-ak", signed.secretId],
    ["q-sign-time", signed.keyTime],
    ["q-key-time", signed.keyTime],
    ["q-header-list", "host"],
    ["q-url-param-list", ""],
    ["q-signature", createHmac("sha1", signKey).update(stringToSign).digest("hex")],
  ];
  if (!samePairs(readPairs(authorization), expected)) throw new UnsignableError("key", "the authorization signs another request");
}
