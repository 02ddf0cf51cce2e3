import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { type EmulatedCloud, type EmulatedRequest, type EmulatorReply, json } from "./http";

/**
 * Tencent VOD's server APIs as the server calls them, each checked as Tencent checks it:
 * the API v3 (`POST /` on vod.tencentcloudapi.com, TC3-HMAC-SHA256 `Authorization`) with
 * DescribeMediaInfos, SearchMedia and DeleteMedia, and the legacy API v2
 * (`/v2/index.php`, `Signature` over the sorted parameters) with DescribeVodInfo and
 * GetVideoInfo. Answers come from the media it holds (tests and development add them).
 */

export interface EmulatedMedia {
  fileId: string;
  name: string;
  /** What the uploader's signature carried (the server puts the uploader's id there). */
  sourceContext: string;
  url: string;
  duration: number;
  createTime: string;
}

const V3_HOST = "vod.tencentcloudapi.com";
const V2_HOST = "vod.api.qcloud.com";
const V2_PATH = "/v2/index.php";
/** Tencent refuses signatures whose timestamp is further than this from its clock. */
const MAX_SKEW_S = 300;

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const v3Error = (code: string, message: string): EmulatorReply => json({ Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } });

function basicInfo(media: EmulatedMedia) {
  return { Name: media.name, MediaUrl: media.url, CreateTime: media.createTime, Duration: media.duration, SourceInfo: { SourceType: "Upload", SourceContext: media.sourceContext } };
}

export class VodEmulator {
  readonly media = new Map<string, EmulatedMedia>();
  /** Requests refused for their signature (a correct server causes none). */
  readonly rejected: Array<{ api: "v2" | "v3"; reason: string }> = [];
  /** Every request received, as sent (tests recompute its signature on their own). */
  readonly received: EmulatedRequest[] = [];

  constructor(private readonly cloud: EmulatedCloud) {}

  addMedia(media: Partial<EmulatedMedia> & { fileId: string }): EmulatedMedia {
    const full = { name: media.fileId, sourceContext: "", url: `http://vod.example/${media.fileId}.mp4`, duration: 60, createTime: new Date().toISOString(), ...media };
    this.media.set(full.fileId, full);
    return full;
  }

  handles(request: EmulatedRequest): boolean {
    return request.url.pathname === V2_PATH || request.hostname === V3_HOST;
  }

  handle(request: EmulatedRequest, nowS = Math.floor(Date.now() / 1000)): EmulatorReply {
    this.received.push(request);
    return request.url.pathname === V2_PATH ? this.v2(request, nowS) : this.v3(request, nowS);
  }

  // ---- API v3 ----

  private v3(request: EmulatedRequest, nowS: number): EmulatorReply {
    const refusal = this.checkTc3(request, nowS);
    if (refusal) {
      this.rejected.push({ api: "v3", reason: refusal });
      return v3Error(refusal.startsWith("expired") ? "AuthFailure.SignatureExpire" : "AuthFailure.SignatureFailure", refusal);
    }
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(request.body.toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      return v3Error("InvalidParameter", "the body is not JSON");
    }
    const action = request.headers["x-tc-action"] ?? "";
    const ok = (body: object) => json({ Response: { ...body, RequestId: randomUUID() } });
    switch (action) {
      case "DescribeMediaInfos": {
        const ids = Array.isArray(params.FileIds) ? params.FileIds.map(String) : [];
        const found = ids.filter((id) => this.media.has(id));
        return ok({
          MediaInfoSet: found.map((id) => ({ FileId: id, BasicInfo: basicInfo(this.media.get(id)!) })),
          NotExistFileIdSet: ids.filter((id) => !this.media.has(id)),
        });
      }
      case "SearchMedia": {
        const text = typeof params.Text === "string" ? params.Text : "";
        const all = [...this.media.values()].filter((m) => m.name.includes(text));
        const offset = Number(params.Offset ?? 0);
        const limit = Number(params.Limit ?? 10);
        return ok({ TotalCount: all.length, MediaInfoSet: all.slice(offset, offset + limit).map((m) => ({ FileId: m.fileId, BasicInfo: basicInfo(m) })) });
      }
      case "DeleteMedia": {
        const id = typeof params.FileId === "string" ? params.FileId : "";
        if (!this.media.delete(id)) return v3Error("ResourceNotFound.FileNotExist", `file ${id} does not exist`);
        return ok({});
      }
      default:
        return v3Error("InvalidAction", `unsupported action ${action}`);
    }
  }

  /** TC3-HMAC-SHA256 as Tencent checks it; the reason of a refusal, or undefined. */
  private checkTc3(request: EmulatedRequest, nowS: number): string | undefined {
    const match = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
      request.headers.authorization ?? "",
    );
    if (!match) return "no TC3-HMAC-SHA256 Authorization";
    const [, secretId, date, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string];
    const timestamp = Number(request.headers["x-tc-timestamp"]);
    if (secretId !== this.cloud.secretId) return "unknown SecretId";
    if (service !== "vod") return `signed for service ${service}`;
    if (!Number.isInteger(timestamp) || Math.abs(nowS - timestamp) > MAX_SKEW_S) return "expired: X-TC-Timestamp too far from now";
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return "the credential date is not the timestamp's";
    const headers = signedHeaders.split(";");
    if (!headers.includes("host") || !headers.includes("content-type")) return "content-type and host must be signed";
    const canonicalHeaders = headers.map((name) => `${name}:${(name === "host" ? request.hostname : (request.headers[name] ?? "")).trim().toLowerCase()}\n`).join("");
    const canonicalRequest = `${request.method}\n${request.url.pathname}\n${request.url.search.slice(1)}\n${canonicalHeaders}\n${signedHeaders}\n${sha256(request.body)}`;
    const scope = `${date}/${service}/tc3_request`;
    const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256(canonicalRequest)}`;
    const signing = hmac(hmac(hmac(`TC3${this.cloud.secretKey}`, date), service), "tc3_request");
    return same(createHmac("sha256", signing).update(stringToSign).digest("hex"), signature) ? undefined : "signature does not match";
  }

  // ---- API v2 ----

  private v2(request: EmulatedRequest, nowS: number): EmulatorReply {
    const params = new URLSearchParams(request.method === "GET" ? request.url.search : request.body.toString("utf8"));
    const refusal = this.checkV2(request.method, params, nowS);
    if (refusal) {
      this.rejected.push({ api: "v2", reason: refusal });
      return json({ code: 4100, message: `authorization failed: ${refusal}`, codeDesc: "AuthFailure" });
    }
    const action = params.get("Action");
    if (action === "DescribeVodInfo") {
      const files = [...this.media.values()];
      return json({ code: 0, message: "", totalCount: files.length, fileSet: files.map((m) => ({ fileId: m.fileId, fileName: m.name, duration: m.duration, playSet: [{ url: m.url }] })) });
    }
    if (action === "GetVideoInfo") {
      const media = this.media.get(params.get("fileId") ?? "");
      if (!media) return json({ code: 4000, message: "fileId does not exist" });
      return json({ code: 0, message: "", basicInfo: { name: media.name, duration: media.duration, sourceVideoUrl: media.url } });
    }
    return json({ code: 4000, message: `unsupported action ${action}` });
  }

  /** The documented v2 rule: sorted keys, `_` → `.`, raw values, `Signature` left out, HMAC of METHOD + host + path + "?" + pairs. */
  private checkV2(method: string, params: URLSearchParams, nowS: number): string | undefined {
    if (params.get("SecretId") !== this.cloud.secretId) return "unknown SecretId";
    if (Math.abs(nowS - Number(params.get("Timestamp"))) > MAX_SKEW_S) return "Timestamp too far from now";
    const pairs = [...params].filter(([k]) => k !== "Signature").map(([k, v]): [string, string] => [k.replace(/_/g, "."), v]);
    pairs.sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const plain = `${method}${V2_HOST}${V2_PATH}?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}`;
    const algorithm = params.get("SignatureMethod") === "HmacSHA256" ? "sha256" : "sha1";
    const expected = createHmac(algorithm, this.cloud.secretKey).update(plain, "utf8").digest("base64");
    return same(expected, params.get("Signature") ?? "") ? undefined : "signature does not match";
  }
}
