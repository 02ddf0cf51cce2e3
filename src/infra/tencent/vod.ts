import { createHmac, randomInt } from "node:crypto";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";
import { stringify } from "node:querystring";
import { vod } from "tencentcloud-sdk-nodejs-vod";
import type { VodEndpoint } from "../../config";
import type { CloudCredentials } from "./cos";
import { phpString, signedV2Params, V2_PATH, type V2Params } from "./cloud-api-v2";
import { samePairs } from "./signed-text";
import { type CallObserver, type CallOutcome, observed } from "./call-observer";

/**
 * Tencent VOD: the client-upload signature (hand-written: no SDK makes it), the VOD API v3
 * through tencentcloud-sdk-nodejs (it signs TC3-HMAC-SHA256), and the legacy v2 API for
 * apps that still send v2 parameters (signed by cloud-api-v2.ts).
 */

export interface UploadSignatureRequest {
  now: number;
  expireAt: number;
  random?: number;
  procedure?: string;
  classId?: number;
  subAppId?: number;
  /** Echoed by VOD with the media (SourceInfo.SourceContext): who uploaded it. */
  sourceContext?: string;
}

/**
 * `base64(HMAC-SHA1(secretKey, original) ‖ original)`, original = secretId, currentTimeStamp,
 * expireTime, random, then the optional fields, URL-encoded. VOD reads `original` as a
 * query string: it must read back as exactly these fields, each once (encoding makes it so;
 * the check keeps it so).
 */
export function vodUploadSignature(credentials: Pick<CloudCredentials, "secretId" | "secretKey">, request: UploadSignatureRequest): string {
  const fields: Record<string, string | number> = {
    secretId: credentials.secretId,
    currentTimeStamp: request.now,
    expireTime: request.expireAt,
    random: request.random ?? randomInt(0, 4294967296),
  };
  if (request.procedure) fields.procedure = request.procedure;
  if (request.classId !== undefined) fields.classId = request.classId;
  if (request.subAppId !== undefined) fields.vodSubAppId = request.subAppId;
  if (request.sourceContext !== undefined) fields.sourceContext = request.sourceContext;
  const original = stringify(fields);
  const allowed = Object.entries(fields).map(([key, value]): [string, string] => [key, String(value)]);
  if (!samePairs([...new URLSearchParams(original)], allowed)) throw new Error("the VOD upload signature's text does not read back as its fields");
  const mac = createHmac("sha1", credentials.secretKey).update(original, "utf8").digest();
  return Buffer.concat([mac, Buffer.from(original, "utf8")]).toString("base64");
}

/** A VOD API failure: Tencent's error code (e.g. "ResourceNotFound") or a transport failure. */
export class VodError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = "VodError";
  }
}

export interface VodClientOptions {
  credentials: Pick<CloudCredentials, "secretId" | "secretKey">;
  endpoint: VodEndpoint;
  v2BaseUrl: string;
  timeoutMs: number;
  /** Told of every call. */
  observe?: CallObserver;
}

/** Tencent answered an error code, or no usable answer came. */
const vodOutcomeOf = (error: unknown): CallOutcome => (error instanceof VodError && error.code !== "TransportError" ? "error" : "unanswered");

type V3Client = InstanceType<typeof vod.v20180717.Client>;

/** Connects to `address` whatever the host name (a local stand-in keeps Tencent's signed host). */
function agentFor(endpoint: VodEndpoint): HttpAgent | undefined {
  const address = endpoint.resolveTo;
  if (!address) return undefined;
  const family = address.includes(":") ? 6 : 4;
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
  return endpoint.protocol === "http://" ? new HttpAgent({ lookup, keepAlive: true }) : new HttpsAgent({ lookup, keepAlive: true });
}

export class VodClient {
  private readonly v3: V3Client;

  constructor(private readonly options: VodClientOptions) {
    this.v3 = new vod.v20180717.Client({
      credential: { secretId: options.credentials.secretId, secretKey: options.credentials.secretKey },
      profile: {
        httpProfile: {
          endpoint: options.endpoint.host,
          protocol: options.endpoint.protocol,
          reqTimeout: Math.max(1, Math.ceil(options.timeoutMs / 1000)),
          agent: agentFor(options.endpoint),
        },
      },
    });
  }

  /** A v3 action (DescribeMediaInfos, SearchMedia, DeleteMedia…): the `Response` without its wrapper. */
  call(action: "DescribeMediaInfos" | "SearchMedia" | "DeleteMedia", request: object): Promise<Record<string, unknown>> {
    return observed(this.options.observe, vodOutcomeOf, () => this.callV3(action, request));
  }

  private async callV3(action: string, request: object): Promise<Record<string, unknown>> {
    try {
      return (await this.v3.request(action, request)) as Record<string, unknown>;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new VodError(error instanceof Error ? error.message : String(error), typeof code === "string" && code !== "" ? code : "TransportError");
    }
  }

  /** A legacy v2 call, signed as the PHP SDK did: Tencent's JSON answer, whatever its `code`. */
  callV2(method: "GET" | "POST", host: string, params: V2Params, region: string): Promise<Record<string, unknown>> {
    return observed(this.options.observe, vodOutcomeOf, () => this.callV2Once(method, host, params, region));
  }

  private async callV2Once(method: "GET" | "POST", host: string, params: V2Params, region: string): Promise<Record<string, unknown>> {
    const path = V2_PATH;
    const signed = signedV2Params(method, { host, path }, this.options.credentials, params, { region });
    const form = new URLSearchParams(Object.entries(signed).map(([k, v]): [string, string] => [k, phpString(v)]));
    const url = `${this.options.v2BaseUrl}${path}`;
    let response: Response;
    try {
      response =
        method === "GET"
          ? await fetch(`${url}?${form.toString()}`, { signal: AbortSignal.timeout(this.options.timeoutMs) })
          : await fetch(url, { method: "POST", body: form, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      throw new VodError(`v2 ${String(params.Action)}: ${error instanceof Error ? error.message : "request failed"}`, "TransportError");
    }
    const reply: unknown = await response.json().catch(() => undefined);
    if (typeof reply !== "object" || reply === null) throw new VodError(`v2 ${String(params.Action)}: reply is not JSON (HTTP ${response.status})`, "BadReply");
    return reply as Record<string, unknown>;
  }
}
