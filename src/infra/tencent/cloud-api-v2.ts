import { createHmac, randomInt } from "node:crypto";
import { hasInvisible, hasRepeatedKey, readPairs, samePairs, UnsignableError } from "./signed-text";

/**
 * Tencent Cloud API v2 signatures ("index.php" style, spec/tencent-formats.md (c)):
 * `plain = METHOD + host + path + "?" + k=v&…` over the parameters sorted by key, values
 * raw (no URL-encoding), then base64(HMAC-SHA1 or HMAC-SHA256(secretKey, plain)).
 * Two key rules exist: `vod.get_sign` replaces every `_` by `.` (protocol.md §11.2); the PHP
 * SDK the original used for its own calls replaces them only when the first `_` is not the
 * key's first character, and leaves out `Signature` (and `@` values of POSTs) (§7.3).
 *
 * Tencent never sees the plain text: it rebuilds one from the request it receives (its
 * parameters decoded, sorted, `_` read as `.`, `Signature` left out) and compares MACs. So a
 * signature is valid for every request that rebuilds the same text, and a raw `&`, `=` or
 * `?` in a path, key or value lets one text say two requests. Both signers below sign only
 * when the text, read back by splitting on `&` and each pair's first `=`, is exactly
 * Tencent's rebuild of the request allowed, and only these characters:
 * - path: exactly `/v2/index.php`, the v2 API's only path;
 * - keys: letters, digits, `.`, `_`, `-`, not starting with `_` (the SDK keeps a leading
 *   `_`, Tencent reads it as `.`), no two the same once `_` is `.` or letter case ignored,
 *   none whose place in the order depends on whether `_` became `.` before or after sorting;
 *   no `Signature` (Tencent leaves it out of the text);
 * - values: scalars (an object would be signed as PHP's "Array"), without `& = ? #`, `%`
 *   (a value read after one decoding or two must be the same) or invisible characters;
 *   other text, non-ASCII included, is signed as UTF-8, as Tencent's SDKs do.
 */

export type SignatureMethod = "HmacSHA1" | "HmacSHA256";

export type V2Params = Record<string, unknown>;

/** The v2 API's only path (`https://<module>.api.qcloud.com/v2/index.php`). */
export const V2_PATH = "/v2/index.php";

export interface V2Request {
  method: "GET" | "POST";
  host: string;
  path: string;
  params: V2Params;
}

/** A v2 plain text read as a request: method, host, path, then the pairs in their order. */
export interface V2Reading {
  method: string;
  host: string;
  path: string;
  pairs: Array<[string, string | undefined]>;
}

const V2_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const V2_VALUE_FORBIDDEN = /[&=?#%]/;

/** A value as PHP's string conversion writes it (the original signed PHP strings). */
export function phpString(value: unknown): string {
  if (value === true) return "1";
  if (value === false || value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return "Array"; // objects and lists, as PHP writes them
}

/** PHP's ksort on string keys: byte order. */
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (Buffer.compare(Buffer.from(a), Buffer.from(b)));

function joined(entries: Array<[string, unknown]>): string {
  return entries.sort(byKey).map(([k, v]) => `${k}=${phpString(v)}`).join("&");
}

/** vod.get_sign's plain text: every `_` of every key becomes `.`. */
export function getSignPlainText(method: string, host: string, path: string, params: V2Params): string {
  return `${method}${host}${path}?${joined(Object.entries(params).map(([k, v]) => [k.replace(/_/g, "."), v]))}`;
}

/** The PHP SDK's plain text (the v2 calls the server makes itself). */
export function sdkPlainText(method: "GET" | "POST", host: string, path: string, params: V2Params): string {
  const entries = Object.entries(params)
    .filter(([k, v]) => k !== "Signature" && !(method === "POST" && typeof v === "string" && v.startsWith("@")))
    .map(([k, v]): [string, unknown] => [k.indexOf("_") > 0 ? k.replace(/_/g, ".") : k, v]);
  return `${method}${host}${path}?${joined(entries)}`;
}

export function v2Signature(plain: string, secretKey: string, method: SignatureMethod): string {
  return createHmac(method === "HmacSHA256" ? "sha256" : "sha1", secretKey).update(plain, "utf8").digest("base64");
}

/** A v2 plain text as a request: GET or POST, the host up to the first `/`, the path up to the first `?`, then `k=v` pairs. */
export function readV2PlainText(plain: string): V2Reading | undefined {
  const method = ["GET", "POST"].find((m) => plain.startsWith(m));
  if (method === undefined) return undefined;
  const rest = plain.slice(method.length);
  const slash = rest.indexOf("/");
  const question = rest.indexOf("?");
  if (slash < 0 || question < slash) return undefined;
  return { method, host: rest.slice(0, slash), path: rest.slice(slash, question), pairs: readPairs(rest.slice(question + 1)) };
}

/** The characters a request may carry (see the top of this file). */
function checkV2Params(params: V2Params): void {
  for (const [key, value] of Object.entries(params)) {
    if (!V2_KEY.test(key) || key === "Signature") throw new UnsignableError("params", "a key Tencent would read otherwise");
    if (typeof value === "object" && value !== null) throw new UnsignableError("params", "a value that is not a scalar");
    const text = phpString(value);
    if (V2_VALUE_FORBIDDEN.test(text) || hasInvisible(text)) throw new UnsignableError("params", "a value Tencent would read otherwise");
  }
}

const tencentKey = (key: string) => key.replace(/_/g, ".");

/** The text Tencent rebuilds from the request: sorted pairs, every `_` of a key read as `.`, `Signature` left out. */
function tencentReading(request: V2Request): V2Reading {
  const entries = Object.entries(request.params).filter(([key]) => key !== "Signature");
  const sortedAfter = entries.map(([k, v]): [string, string] => [tencentKey(k), phpString(v)]).sort(byKey);
  const sortedBefore = [...entries].sort(byKey).map(([k, v]): [string, string] => [tencentKey(k), phpString(v)]);
  if (!samePairs(sortedAfter, sortedBefore)) throw new UnsignableError("params", "the keys' order depends on when `_` becomes `.`");
  return { method: request.method, host: request.host, path: request.path, pairs: sortedAfter };
}

/** The round trip: the signed text, read back, is exactly what Tencent rebuilds from the request allowed. */
function checkSignedAsRead(plain: string, request: V2Request): void {
  const expected = tencentReading(request);
  const read = readV2PlainText(plain);
  if (read === undefined || read.method !== expected.method || read.host !== expected.host) throw new UnsignableError("host", "the text names another host");
  if (read.path !== expected.path) throw new UnsignableError("path", "the text names another path");
  if (hasRepeatedKey(read.pairs, true) || !samePairs(read.pairs, expected.pairs)) throw new UnsignableError("params", "the text says other parameters");
}

/** vod.get_sign: the signature of exactly `request` (UnsignableError when its text could say anything else). */
export function signV2Request(request: V2Request, secretKey: string, signatureMethod: SignatureMethod): string {
  if (request.path !== V2_PATH) throw new UnsignableError("path", "the v2 API has one path");
  checkV2Params(request.params);
  const plain = getSignPlainText(request.method, request.host, request.path, request.params);
  checkSignedAsRead(plain, request);
  return v2Signature(plain, secretKey, signatureMethod);
}

/** The common parameters of a v2 call the server makes (what the PHP SDK added), then signed (UnsignableError as for vod.get_sign). */
export function signedV2Params(
  method: "GET" | "POST",
  target: { host: string; path: string },
  credentials: { secretId: string; secretKey: string },
  params: V2Params,
  defaults: { region: string; now?: number },
): V2Params {
  const full: V2Params = {
    ...params,
    SecretId: credentials.secretId,
    Region: params.Region ?? defaults.region,
    Nonce: params.Nonce ?? randomInt(1, 65536),
    Timestamp: params.Timestamp ?? defaults.now ?? Math.floor(Date.now() / 1000),
    RequestClient: "SDK_PHP_1.1",
  };
  const signatureMethod: SignatureMethod = full.SignatureMethod === "HmacSHA256" ? "HmacSHA256" : "HmacSHA1";
  checkV2Params(full);
  const plain = sdkPlainText(method, target.host, target.path, full);
  checkSignedAsRead(plain, { method, host: target.host, path: target.path, params: full });
  return { ...full, Signature: v2Signature(plain, credentials.secretKey, signatureMethod) };
}
