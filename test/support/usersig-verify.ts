import { createHmac } from "node:crypto";
import { inflateSync } from "node:zlib";

/** Decodes a Tencent IM userSig v2 independently of src/ and checks its HMAC. */
export function verifyUserSigV2(sig: string, secretKey: string): { ok: boolean; doc: Record<string, unknown> } {
  const base64 = sig.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "=");
  const doc = JSON.parse(inflateSync(Buffer.from(base64, "base64")).toString("utf8")) as Record<string, unknown>;
  const content = ["identifier", "sdkappid", "time", "expire"].map((k) => `TLS.${k}:${String(doc[`TLS.${k}`])}\n`).join("");
  const expected = createHmac("sha256", secretKey).update(content).digest("base64");
  return { ok: doc["TLS.ver"] === "2.0" && doc["TLS.sig"] === expected, doc };
}
