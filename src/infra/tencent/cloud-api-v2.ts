import { createHmac, randomInt } from "node:crypto";

/**
 * Tencent Cloud API v2 signatures ("index.php" style, spec/tencent-formats.md (c)):
 * `plain = METHOD + host + path + "?" + k=v&…` over the parameters sorted by key, values
 * raw (no URL-encoding), then base64(HMAC-SHA1 or HMAC-SHA256(secretKey, plain)).
 * Two key rules exist: `vod.get_sign` replaces every `_` by `.` (protocol.md §11.2); the PHP
 * SDK the original used for its own calls replaces them only when the first `_` is not the
 * key's first character, and leaves out `Signature` (and `@` values of POSTs) (§7.3).
 */

export type SignatureMethod = "HmacSHA1" | "HmacSHA256";

export type V2Params = Record<string, unknown>;

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

/** The common parameters of a v2 call the server makes (what the PHP SDK added), then signed. */
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
  return { ...full, Signature: v2Signature(sdkPlainText(method, target.host, target.path, full), credentials.secretKey, signatureMethod) };
}
