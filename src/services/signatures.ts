import type { Config } from "../config";
import { Errors, FieldText } from "../errors";
import { type SignatureMethod, signV2Request, type V2Params } from "../infra/tencent/cloud-api-v2";
import { type CosMethod, cosObjectPath, cosV4OnceFileId, cosV4Signature, cosV5Authorization, cosXmlRegion } from "../infra/tencent/cos";
import { UnsignableError, type UnsignableField } from "../infra/tencent/signed-text";
import { VodError, type VodClient, vodUploadSignature } from "../infra/tencent/vod";
import type { Logger } from "../logger";
import { lenientInteger, Role, type SessionUser } from "./domain";

/**
 * Signatures apps use to reach Tencent directly (the secret key never leaves the server),
 * and the VOD command proxy. Each signs only what is allowed: configured buckets and
 * VOD hosts and actions; single-use COS signatures (which delete or overwrite a file)
 * and v5 authorizations only under the caller's own folder, teachers excepted for the former.
 * And each signs exactly that: a request whose signed text, read back as Tencent reads it,
 * would say anything else is refused with its field's 10003 (src/infra/tencent/signed-text.ts).
 */

export const SignatureType = { multiUse: 0, singleUse: 1 } as const;
export type SignatureType = (typeof SignatureType)[keyof typeof SignatureType];

/** v2 actions the proxy passes through (the original's), and the v3 actions it calls itself. */
const V2_PROXY_ACTIONS = new Set(["DescribeVodInfo", "GetVideoInfo"]);
const V3_PROXY_ACTIONS = new Set(["DescribeMediaInfos", "SearchMedia", "DeleteMedia"] as const);
type V3Action = typeof V3_PROXY_ACTIONS extends Set<infer A> ? A : never;
/** The v2 common parameters: not part of a v3 request. */
const V2_COMMON = new Set(["Action", "Nonce", "Region", "SecretId", "SignatureMethod", "Timestamp", "Signature", "RequestClient"]);
/** The VOD API v3 host: apps naming it ask for a v3 action. */
const V3_HOST = "vod.tencentcloudapi.com";
/** Tencent's code when a failure carries none (the original's). */
const UNKNOWN_UPSTREAM_CODE = 3000;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * A v2 signature is valid while Tencent accepts its `Timestamp`, which the app chooses: one
 * further ahead than this (a signature that would wait to be used, after its holder has
 * lost access) or that is no integer is not signed.
 */
const V2_TIMESTAMP_MAX_AHEAD_S = 86400;

function checkV2Timestamp(timestamp: unknown, now: number): void {
  if (timestamp === undefined) return;
  const value = lenientInteger(timestamp);
  if (value === undefined || value > now + V2_TIMESTAMP_MAX_AHEAD_S) throw Errors.requestData(FieldText.params.invalid);
}

/** The 10003 text of each field a signed text can be made ambiguous through. */
const UNSIGNABLE_TEXTS: Readonly<Record<UnsignableField, string>> = {
  host: FieldText.host.invalid,
  path: FieldText.path.invalid,
  params: FieldText.params.invalid,
  bucket: FieldText.bucket.invalid,
  filePath: FieldText.filePath.invalid,
  key: FieldText.cosKey.invalid,
};

const asFieldError = (error: unknown): unknown => (error instanceof UnsignableError ? Errors.requestData(UNSIGNABLE_TEXTS[error.field]) : error);

/** Signs, or answers 10003 with the text of the field that would make the signed text say something else. */
function signing<T>(sign: () => T): T {
  try {
    return sign();
  } catch (error) {
    throw asFieldError(error);
  }
}

/** The folder of the caller's app, `/<sdkappid>/`: apps that share the account's buckets never reach each other's files. */
const appFolder = (user: SessionUser) => `/${user.appid}/`;
/** The caller's own folder: `/<sdkappid>/<uid>/` (uids are unique only per app). */
const ownFolder = (user: SessionUser) => `${appFolder(user)}${user.uid}/`;

/** Who uploaded a media, as its upload signature's sourceContext carries it: the app and the uid (uids are unique only per app). */
const uploaderContext = (user: SessionUser) => `${user.appid}:${user.uid}`;

export interface CosSignature {
  sign: string;
  bucket: string;
  region: string;
  previewTag: string;
}

export interface VodProxyRequest {
  method: "GET" | "POST";
  host: string;
  params: V2Params;
}

export class SignatureService {
  constructor(private readonly deps: { config: Config; vod: VodClient; log: Logger }) {}

  /** cos.get_sign: a v4 signature, multi-use (expiring) or single-use (one file). */
  cosSign(user: SessionUser, input: { type: SignatureType; bucket?: string; filePath?: string }): CosSignature {
    const { cloud, cos } = this.deps.config;
    const bucket = input.bucket ?? cos.defaultBucket;
    if (!cos.buckets.includes(bucket)) throw Errors.requestData(FieldText.bucket.invalid);
    const filePath = input.filePath;
    const path = filePath ? signing(() => cosObjectPath(filePath, "filePath")) : "";
    const now = nowSeconds();
    let sign: string;
    if (input.type === SignatureType.singleUse) {
      // A single-use signature overwrites or deletes: teachers any file of their app, students their own.
      if (user.role === Role.teacher ? !path.startsWith(appFolder(user)) : !path.startsWith(ownFolder(user))) {
        throw user.role === Role.teacher ? Errors.onlyAppFilesSignedOnce() : Errors.onlyOwnFilesSignedOnce();
      }
      sign = signing(() => cosV4Signature(cloud, { bucket, expiresAt: 0, fileId: cosV4OnceFileId(cloud.appId, bucket, path), now }));
    } else {
      sign = signing(() => cosV4Signature(cloud, { bucket, expiresAt: now + cos.signExpireS, fileId: path, now }));
    }
    // As the original: the region is known for the default bucket only.
    return { sign, bucket, region: bucket === cos.defaultBucket ? cos.region : "", previewTag: cos.previewTag };
  }

  /**
   * cos.get_sign of the live apps (anyone may ask): a short-lived multi-use v4 signature of the
   * covers bucket's folder ("/": the whole bucket, an empty `f`: the apps upload to /<id>_<time>.jpg).
   */
  coverSign(): { sign: string } {
    const { cloud, live } = this.deps.config;
    const { enabled, bucket, prefix, expireS } = live.coverSign;
    if (!enabled) throw Errors.coverSignOff();
    const now = nowSeconds();
    return { sign: signing(() => cosV4Signature(cloud, { bucket, expiresAt: now + expireS, fileId: prefix === "/" ? "" : prefix, now })) };
  }

  /** A v5 (XML API) authorization for one request on one key of the caller's own folder in the default bucket (its host signed), short-lived. */
  cosAuthorization(user: SessionUser, input: { method: CosMethod; key: string }) {
    const { cloud, cos } = this.deps.config;
    const path = signing(() => cosObjectPath(input.key, "key"));
    if (!path.startsWith(ownFolder(user))) throw Errors.onlyOwnFolderAuthorized();
    const key = path.slice(1);
    const bucket = `${cos.defaultBucket}-${cloud.appId}`;
    const now = nowSeconds();
    const authorization = signing(() => cosV5Authorization(cloud, { method: input.method, bucket, region: cos.region, key, expiresS: cos.authorizationExpireS, now }));
    return { authorization, bucket, region: cosXmlRegion(cos.region), key, expiredTime: now + cos.authorizationExpireS };
  }

  /** vod.get_sign: a v2 signature of an allowed host and action, SecretId filled in, Timestamp at most a day ahead. */
  vodSign(input: { method: "GET" | "POST"; host: string; path: string; params: V2Params }) {
    const { cloud, vod } = this.deps.config;
    if (!vod.signHosts.includes(input.host)) throw Errors.requestData(FieldText.host.invalid);
    if (typeof input.params.Action !== "string" || !vod.signActions.includes(input.params.Action)) throw Errors.unsupportedAction();
    checkV2Timestamp(input.params.Timestamp, nowSeconds());
    const params: V2Params = { ...input.params, SecretId: cloud.secretId };
    const signatureMethod: SignatureMethod = params.SignatureMethod === "HmacSHA256" ? "HmacSHA256" : "HmacSHA1";
    const sign = signing(() => signV2Request({ method: input.method, host: input.host, path: input.path, params }, cloud.secretKey, signatureMethod));
    return { sign, secretId: cloud.secretId, signatureMethod };
  }

  /** vod.get_client_sign: the VOD client-upload signature; the media will carry the uploader's app and id. */
  vodUploadSign(user: SessionUser) {
    const { cloud, vod } = this.deps.config;
    const now = nowSeconds();
    const sign = vodUploadSignature(cloud, {
      now,
      expireAt: now + vod.uploadSignExpireS,
      procedure: vod.procedure,
      classId: vod.classId,
      subAppId: vod.subAppId,
      sourceContext: uploaderContext(user),
    });
    return { sign, secretId: cloud.secretId };
  }

  /** vod.cmd_proxy: an allowed action with the server's credentials; Tencent's answer is the data. */
  async vodProxy(user: SessionUser, request: VodProxyRequest): Promise<Record<string, unknown> | undefined> {
    if (!this.deps.config.vod.signHosts.includes(request.host) && request.host !== V3_HOST) throw Errors.requestData(FieldText.host.invalid);
    const action = String(request.params.Action);
    try {
      if (V2_PROXY_ACTIONS.has(action)) return await this.proxyV2(request);
      if (isV3Action(action)) return await this.proxyV3(user, action, request.params);
    } catch (error) {
      if (!(error instanceof VodError)) throw asFieldError(error);
      this.deps.log.warn({ action, code: error.code, err: error.message }, "VOD API call failed");
      throw Errors.callQcloudFailed(UNKNOWN_UPSTREAM_CODE, error.message);
    }
    throw Errors.unsupportedAction();
  }

  /** The original's passthrough: Tencent's answer minus code and message, then code 0 and message "" (no data if nothing else). */
  private async proxyV2(request: VodProxyRequest): Promise<Record<string, unknown> | undefined> {
    const reply = await this.deps.vod.callV2(request.method, request.host, request.params, this.deps.config.cos.region);
    const { code, message, ...rest } = reply;
    if (code !== 0) {
      this.deps.log.warn({ action: request.params.Action, code }, "VOD v2 call answered an error");
      throw Errors.callQcloudFailed(typeof code === "number" ? code : UNKNOWN_UPSTREAM_CODE, typeof message === "string" ? message : "request falied!");
    }
    return Object.keys(rest).length === 0 ? undefined : { ...rest, code: 0, message: "" };
  }

  private async proxyV3(user: SessionUser, action: V3Action, params: V2Params): Promise<Record<string, unknown>> {
    const request = Object.fromEntries(Object.entries(params).filter(([key]) => !V2_COMMON.has(key)));
    if (action === "DeleteMedia") await this.checkOwnMedia(user, request.FileId);
    return this.deps.vod.call(action, request);
  }

  /** A teacher deletes only media uploaded with their own upload signature (VOD keeps the uploader, app and uid, as SourceContext). */
  private async checkOwnMedia(user: SessionUser, fileId: unknown): Promise<void> {
    if (typeof fileId !== "string" || fileId === "") throw Errors.onlyOwnMediaDeleted();
    const found = await this.deps.vod.call("DescribeMediaInfos", { FileIds: [fileId], Filters: ["basicInfo"] });
    const media = (found.MediaInfoSet as Array<{ BasicInfo?: { SourceInfo?: { SourceContext?: string } } }> | undefined)?.[0];
    if (media?.BasicInfo?.SourceInfo?.SourceContext !== uploaderContext(user)) throw Errors.onlyOwnMediaDeleted();
  }
}

const isV3Action = (action: string): action is V3Action => (V3_PROXY_ACTIONS as Set<string>).has(action);
