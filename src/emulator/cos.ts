import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { type EmulatedCloud, type EmulatedRequest, type EmulatorReply, json } from "./http";

/**
 * Tencent COS as apps use it, accepting an object only with a valid signature of the
 * server's account: the XML API (v5: `PUT /<key>` on `<bucket>-<appid>.cos.<region>.myqcloud.com`,
 * `Authorization: q-sign-algorithm=sha1&…`) and the old JSON API (v4: `POST
 * /files/v2/<appid>/<bucket>/<path>` with the multi-use or single-use signature).
 * Both checks are written from Tencent's documented algorithms. Stricter than COS in one
 * way, so that the server's authorizations are tested for it: a v5 authorization must sign
 * the `host` header (an unbound one is valid in every bucket of the account). As COS, a v4
 * upload over an existing file needs the single-use signature of that file.
 */

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  contentType: string;
  body: Buffer;
  /** Which signature admitted it. */
  api: "v4" | "v5";
}

const V5_HOST = /^([a-z0-9-]+)-(\d+)\.cos\.([a-z0-9-]+)\.myqcloud\.com$/;
const V4_PATH = /^\/files\/v2\/(\d+)\/([a-z0-9-]+)(\/.+)$/;

/** COS's encoding of signed names and values: encodeURIComponent plus !'()*. */
const camSafe = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Signers differ on whether `f` is URL-encoded: read both. */
const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function xmlError(status: number, code: string, message: string): EmulatorReply {
  return { kind: "text", status, contentType: "application/xml", body: `<?xml version='1.0' encoding='utf-8' ?><Error><Code>${code}</Code><Message>${message}</Message></Error>` };
}

class Refusal extends Error {
  constructor(readonly reply: EmulatorReply) {
    super("refused");
  }
}

export class CosEmulator {
  /** Objects by "bucket/key". */
  readonly objects = new Map<string, StoredObject>();

  constructor(private readonly cloud: EmulatedCloud) {}

  handles(request: EmulatedRequest): boolean {
    return V5_HOST.test(request.hostname) || V4_PATH.test(request.url.pathname);
  }

  async handle(request: EmulatedRequest, nowS = Math.floor(Date.now() / 1000)): Promise<EmulatorReply> {
    try {
      return V4_PATH.test(request.url.pathname) ? await this.v4Upload(request, nowS) : this.v5(request, nowS);
    } catch (error) {
      if (error instanceof Refusal) return error.reply;
      throw error;
    }
  }

  private bucketOf(name: string, appId: string): string {
    if (appId !== String(this.cloud.appId) || !this.cloud.buckets.includes(name)) throw new Refusal(xmlError(404, "NoSuchBucket", "The specified bucket does not exist."));
    return name;
  }

  private v5(request: EmulatedRequest, nowS: number): EmulatorReply {
    const [, name = "", appId = ""] = V5_HOST.exec(request.hostname) ?? [];
    const bucket = this.bucketOf(name, appId);
    const key = decodeURIComponent(request.url.pathname).slice(1);
    this.checkV5(request, nowS);
    const id = `${bucket}/${key}`;
    if (request.method === "PUT") {
      this.objects.set(id, { bucket, key, size: request.body.length, contentType: request.headers["content-type"] ?? "application/octet-stream", body: request.body, api: "v5" });
      return { kind: "text", contentType: "text/plain", body: "", headers: { ETag: `"${createHash("md5").update(request.body).digest("hex")}"` } };
    }
    const object = this.objects.get(id);
    if (!object) return xmlError(404, "NoSuchKey", "The specified key does not exist.");
    if (request.method === "DELETE") {
      this.objects.delete(id);
      return { kind: "text", status: 204, contentType: "text/plain", body: "" };
    }
    return { kind: "text", contentType: object.contentType, body: object.body };
  }

  /** The v5 check: q-ak is the account's, the time window holds, the signature is HMAC-SHA1 over what q-*-list names. */
  private checkV5(request: EmulatedRequest, nowS: number): void {
    const auth = new URLSearchParams(request.headers.authorization ?? "");
    const keyTime = auth.get("q-key-time") ?? "";
    const [start, end] = (auth.get("q-sign-time") ?? "").split(";").map(Number);
    if (auth.get("q-sign-algorithm") !== "sha1" || auth.get("q-ak") !== this.cloud.secretId) throw new Refusal(xmlError(403, "InvalidAccessKeyId", "The access key Id format you provided is invalid."));
    if (start === undefined || end === undefined || !(start <= nowS && nowS <= end)) throw new Refusal(xmlError(403, "AccessDenied", "Request has expired"));
    const listed = (list: string | null) => (list ? list.split(";") : []);
    const headerList = listed(auth.get("q-header-list"));
    if (!headerList.includes("host")) throw new Refusal(xmlError(403, "AccessDenied", "The authorization must sign the host header."));
    const queryOf = new Map([...request.url.searchParams].map(([k, v]) => [camSafe(k.toLowerCase()), camSafe(v)]));
    const params = listed(auth.get("q-url-param-list")).map((k) => `${k}=${queryOf.get(k) ?? ""}`).join("&");
    // The Host COS sees is the bucket's (a request through the emulator as a proxy names it in its target).
    const headerValue = (name: string) => (name === "host" ? request.url.host : (request.headers[name] ?? ""));
    const headers = headerList.map((k) => `${k}=${camSafe(headerValue(k))}`).join("&");
    const httpString = `${request.method.toLowerCase()}\n${decodeURIComponent(request.url.pathname)}\n${params}\n${headers}\n`;
    const stringToSign = `sha1\n${auth.get("q-sign-time")}\n${createHash("sha1").update(httpString).digest("hex")}\n`;
    const signKey = createHmac("sha1", this.cloud.secretKey).update(keyTime).digest("hex");
    const expected = createHmac("sha1", signKey).update(stringToSign).digest("hex");
    if (!sameHex(expected, auth.get("q-signature") ?? "")) throw new Refusal(xmlError(403, "SignatureDoesNotMatch", "The Signature you specified does not match."));
  }

  /** The v4 upload: `op=upload` with `filecontent`, admitted by a multi-use signature of the bucket or the single-use one of this file. */
  private async v4Upload(request: EmulatedRequest, nowS: number): Promise<EmulatorReply> {
    const [, appId = "", name = "", path = ""] = V4_PATH.exec(request.url.pathname) ?? [];
    const refuse = (message: string) => new Refusal(json({ code: -133, message }, 403));
    if (request.method !== "POST") throw refuse("the JSON API uploads with POST");
    const bucket = this.bucketOf(name, appId);
    const filePath = decodeURIComponent(path);
    const fields = this.checkV4(request.headers.authorization ?? "", refuse);
    if (fields.b !== bucket || fields.a !== String(this.cloud.appId)) throw refuse("the signature is for another bucket");
    if (fields.e === "0") {
      if (fields.f !== `/${this.cloud.appId}/${bucket}${filePath}`) throw refuse("the single-use signature is for another file");
    } else if (!(Number(fields.e) >= nowS)) {
      throw refuse("the signature has expired");
    } else if (fields.f && !filePath.startsWith(fields.f) && !`/${this.cloud.appId}/${bucket}${filePath}`.startsWith(fields.f)) {
      // A multi-use signature with a path covers what is under it (either form of the path).
      throw refuse("the signature is for another path");
    }
    const form = await new Request("http://cos/", { method: "POST", headers: { "content-type": request.headers["content-type"] ?? "" }, body: request.body }).formData();
    const content = form.get("filecontent");
    if (form.get("op") !== "upload" || content === null) throw refuse("expected op=upload and filecontent");
    const body = typeof content === "string" ? Buffer.from(content) : Buffer.from(await content.arrayBuffer());
    const key = filePath.slice(1);
    if (fields.e !== "0" && this.objects.has(`${bucket}/${key}`)) throw refuse("overwriting a file needs its single-use signature");
    this.objects.set(`${bucket}/${key}`, { bucket, key, size: body.length, contentType: "application/octet-stream", body, api: "v4" });
    return json({ code: 0, message: "SUCCESS", data: { resource_path: `/${appId}/${bucket}${filePath}`, access_url: `http://${bucket}-${appId}.cos${this.cloud.region}.myqcloud.com${filePath}` } });
  }

  /** The v4 check: MAC bytes then the plain text; the MAC is HMAC-SHA1 of the plain text with the account's key. */
  private checkV4(sign: string, refuse: (message: string) => Refusal): Record<string, string> {
    const raw = Buffer.from(sign, "base64");
    if (raw.length <= 20) throw refuse("no signature");
    const mac = raw.subarray(0, 20);
    const plain = raw.subarray(20).toString("utf8");
    const expected = createHmac("sha1", this.cloud.secretKey).update(plain, "utf8").digest();
    const fields = Object.fromEntries(plain.split("&").map((pair) => [pair.slice(0, pair.indexOf("=")), safeDecode(pair.slice(pair.indexOf("=") + 1))]));
    if (fields.k !== this.cloud.secretId || !timingSafeEqual(mac, expected)) throw refuse("signature verification failed");
    return fields;
  }
}
