import { createHmac } from "node:crypto";
import { deflateSync } from "node:zlib";

/** An IM userSig v2 computed from Tencent's published format, independently of src/ (tests sign as a client would). */
export function signUserSigV2(args: { sdkAppId: number; secretKey: string; identifier: string; expire?: number; time?: number }): string {
  const time = args.time ?? Math.floor(Date.now() / 1000);
  const expire = args.expire ?? 86400;
  const content = `TLS.identifier:${args.identifier}\nTLS.sdkappid:${args.sdkAppId}\nTLS.time:${time}\nTLS.expire:${expire}\n`;
  const sig = createHmac("sha256", args.secretKey).update(content).digest("base64");
  const doc = { "TLS.ver": "2.0", "TLS.identifier": args.identifier, "TLS.sdkappid": args.sdkAppId, "TLS.expire": expire, "TLS.time": time, "TLS.sig": sig };
  return deflateSync(Buffer.from(JSON.stringify(doc))).toString("base64").replace(/\+/g, "*").replace(/\//g, "-").replace(/=/g, "_");
}
