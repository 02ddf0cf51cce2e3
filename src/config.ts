import { existsSync } from "node:fs";
import { z } from "zod";
import { boolString, clusterNode, commaList, jsonOf, nonNegativeInt, positiveInt, readableFile, urlString } from "./config-fields";
import { DEV_WEBHOOK_SECRET, developmentWebhooks, type WebhookEndpoint, webhooksSchema } from "./webhooks/endpoints";

/**
 * Every configuration key of the server, parsed and validated once at start.
 * Key names are fixed (deployments rely on them); each has a development default
 * so that `npm start` works on a fresh machine. `.env.example` documents them.
 */

/** One IM app served: requests carry its SdkAppID as `appid`. */
export interface SdkApp {
  sdkAppId: number;
  /** Signs userSig v2 (users and the admin). */
  secretKey: string;
  /** IM admin identifier used for REST calls (From_Account of class markers). */
  admin: string;
}

/** Tencent IM's REST host (production's default). */
export const TENCENT_IM_BASE_URL = "https://console.tim.qq.com";
/** The ILVB backend API's production host (its test host is https://test.tim.qq.com). */
export const TENCENT_VIDEORELAY_BASE_URL = "https://openapi.tim.qq.com";

const DEV_SECRET_KEY = "sxb-edu-development-secret-key-change-me";
const DEV_CLOUD_SECRET_ID = "AKIDsxbeduDevelopmentSecretIdChangeMe";
const DEV_CLOUD_SECRET_KEY = "sxb-edu-development-cloud-api-key-change-me";
const DEV_CALLBACK_KEY = "sxb-edu-development-callback-key-change-me";
/** In development with the emulator a class becomes replayable within seconds (the demo waits for it). */
const EMULATED_REPLAY_INDEX_DELAY_S = 5;
const REPLAY_INDEX_DELAY_S = 300;

/** Where the VOD API (v3) is reached. The signed service is the host's first label, so a local
 *  address keeps Tencent's host name and resolves it to the address instead. */
export interface VodEndpoint {
  protocol: "https://" | "http://";
  /** host[:port] as signed and sent in Host. */
  host: string;
  /** Connect here instead of resolving `host` (a local fake). */
  resolveTo?: string;
}

const TENCENT_VOD_HOST = "vod.tencentcloudapi.com";

/** VOD_ENDPOINT: "host[:port]" (HTTPS), or "http(s)://address[:port]" of a stand-in for Tencent's host. */
export function vodEndpointOf(value: string): VodEndpoint {
  if (!/^https?:\/\//.test(value)) return { protocol: "https://", host: value };
  const url = new URL(value);
  const protocol = url.protocol === "http:" ? "http://" : "https://";
  if (url.hostname.startsWith("vod.")) return { protocol, host: url.host };
  return { protocol, host: url.port ? `${TENCENT_VOD_HOST}:${url.port}` : TENCENT_VOD_HOST, resolveTo: url.hostname.replace(/^\[|\]$/g, "") };
}

const DEV_SDK_APPS: SdkApp[] = [{ sdkAppId: 1400000000, secretKey: DEV_SECRET_KEY, admin: "administrator" }];

const sdkAppsSchema = z
  .array(
    z.object({
      sdkAppId: z.number().int().positive(),
      secretKey: z.string().min(1),
      admin: z.string().min(1),
    }),
  )
  .min(1)
  .refine((apps) => new Set(apps.map((a) => a.sdkAppId)).size === apps.length, "duplicate sdkAppId");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: nonNegativeInt.max(65535).default(8080),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").default("postgresql://postgres@127.0.0.1:5432/sxb_edu"),
  DATABASE_POOL_SIZE: positiveInt.max(1000).default(10),
  DATABASE_TIMEOUT_MS: positiveInt.default(5000),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL").default("redis://127.0.0.1:6379/0"),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(1000),
  REDIS_CLUSTER_NODES: commaList.pipe(z.array(clusterNode).min(1)).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // auto: readable lines (pino-pretty) in development on a terminal, JSON otherwise (production, pipes, log collectors).
  LOG_FORMAT: z.enum(["auto", "json", "pretty"]).default("auto"),
  SDK_APPS: jsonOf(sdkAppsSchema).default(DEV_SDK_APPS),
  IM_BASE_URL: urlString.optional(),
  TENCENT_EMULATOR_PORT: nonNegativeInt.max(65535).default(8081),
  // Below a request's budget and the course lock's 30 s (services/course-lock.ts): one attempt, never resent blindly.
  IM_TIMEOUT_MS: positiveInt.max(10000).default(3000),
  PUBLIC_URL: urlString.optional(),
  CALLBACK_KEY: z.string().min(1).default(DEV_CALLBACK_KEY),
  REPLAY_INDEX_URL: urlString.optional(),
  REPLAY_INDEX_DELAY_S: nonNegativeInt.optional(),
  REPLAY_INDEX_ATTEMPTS: positiveInt.max(100).default(5),
  REPLAY_INDEX_BACKOFF_S: positiveInt.default(60),
  REPLAY_INDEX_CALLBACK_TIMEOUT_S: positiveInt.default(600),
  REPLAY_INDEX_TIMEOUT_MS: positiveInt.max(30000).default(5000),
  REPLAY_INDEX_INTERVAL_MS: positiveInt.default(1000),
  REPLAY_INDEX_ENABLED: boolString.default(true),
  TOKEN_IDLE_EXPIRE_S: positiveInt.default(604800),
  USERSIG_EXPIRE_S: positiveInt.default(15552000),
  TEACHER_TIMEOUT_S: positiveInt.default(300),
  MEMBER_TIMEOUT_S: positiveInt.default(120),
  REAPER_INTERVAL_MS: positiveInt.default(1000),
  REAPER_ENABLED: boolString.default(true),
  CORS_ORIGINS: z.string().min(1).default("*"),
  // Behind a load balancer or reverse proxy, the client's address is the one it appends to X-Forwarded-For (limits per address).
  TRUST_PROXY: boolString.default(true),
  // Every path the live apps are known to post to (live-protocol.md §C): iOS, Android, PC and Web /sxb_dev/, WebRTC /sxb_new/.
  LIVE_PATHS: commaList.pipe(z.array(z.string().regex(/^\/[^?#]*\/$/, "must be paths that start and end with /")).min(1)).default(["/sxb/", "/sxb_dev/", "/sxb_new/"]),
  LIVE_APPID: positiveInt.optional(),
  LIVE_HOST_TIMEOUT_S: positiveInt.default(90),
  LIVE_MEMBER_TIMEOUT_S: positiveInt.default(30),
  LIVE_BIZID: positiveInt.default(8888),
  LIVE_PLAY_HOST: z.string().regex(/^[\w.-]+(:\d+)?$/, "must be a host name").optional(),
  // The live apps' cover upload signature (cos.get_sign, asked without a token): short-lived, one bucket and prefix, per-address limit.
  LIVE_COS_SIGN: boolString.default(true),
  LIVE_COS_SIGN_EXPIRE_S: positiveInt.max(86400).default(600),
  LIVE_COS_SIGN_PER_MINUTE: positiveInt.default(10),
  // Abuse limits (per minute, counted in Redis across instances; 0: none).
  LOGIN_PER_ADDRESS_PER_MINUTE: nonNegativeInt.default(300),
  LOGIN_PER_ACCOUNT_PER_MINUTE: nonNegativeInt.default(10),
  TOKEN_REQUESTS_PER_MINUTE: nonNegativeInt.default(600),
  HEARTBEATS_PER_MINUTE: nonNegativeInt.default(60),
  LIVE_COVER_BUCKET: z.string().regex(/^[a-z0-9-]{1,50}$/, "must be a COS bucket name").optional(),
  LIVE_COVER_PREFIX: z.string().regex(/^(\/[\w-][\w.-]*)*\/$/, "must be a folder such as /covers/ (/ for the whole bucket)").default("/"),
  // Who may kick a user off IM (account.kickout): ids of accounts, in their own app.
  KICKOUT_ADMINS: commaList.default([]),
  TENCENT_APPID: positiveInt.default(1250000000),
  TENCENT_SECRET_ID: z.string().min(1).default(DEV_CLOUD_SECRET_ID),
  TENCENT_SECRET_KEY: z.string().min(1).default(DEV_CLOUD_SECRET_KEY),
  COS_BUCKET: z.string().regex(/^[a-z0-9-]{1,50}$/, "must be a COS bucket name").default("sxbedu"),
  COS_BUCKETS: commaList.optional(),
  COS_REGION: z.string().min(1).default("sh"),
  COS_PREVIEW_TAG: z.string().min(1).default("preview"),
  COS_SIGN_EXPIRE_S: positiveInt.default(86400),
  COS_AUTH_EXPIRE_S: positiveInt.max(7200).default(600),
  VOD_ENDPOINT: z.string().regex(/^(https?:\/\/)?[\w.-]+(:\d+)?$/, "must be host[:port] or http(s)://host[:port]").default(TENCENT_VOD_HOST),
  VOD_V2_BASE_URL: urlString.default("https://vod.api.qcloud.com"),
  VOD_TIMEOUT_MS: positiveInt.max(30000).default(5000),
  VOD_SIGN_HOSTS: commaList.default(["vod.api.qcloud.com"]),
  VOD_SIGN_ACTIONS: commaList.default(["DescribeVodInfo", "GetVideoInfo", "MultipartUploadVodFile", "ApplyUpload", "CommitUpload"]),
  VOD_UPLOAD_SIGN_EXPIRE_S: positiveInt.max(7776000).default(7200),
  VOD_PROCEDURE: z.string().optional(),
  VOD_CLASS_ID: nonNegativeInt.optional(),
  VOD_SUBAPPID: positiveInt.optional(),
  VIDEORELAY_BASE_URL: urlString.optional(),
  VIDEORELAY_CERT: readableFile.optional(),
  VIDEORELAY_KEY: readableFile.optional(),
  VIDEORELAY_CA: readableFile.optional(),
  VIDEORELAY_TIMEOUT_MS: positiveInt.max(30000).default(5000),
  AUTO_RECORD: boolString.default(false),
  AUTO_PUSH: boolString.default(false),
  PUSH_LIVE_CODE: z.enum(["1", "5", "6"]).transform(Number).default(6),
  PUSH_RATE_TYPES: commaList.pipe(z.array(z.enum(["0", "10", "20"]).transform(Number)).min(1)).default([0]),
  BODY_LIMIT_BYTES: positiveInt.default(1048576),
  BODY_TIMEOUT_MS: positiveInt.default(10000),
  // Within Docker's 10 s stop timeout; with the grace, within Kubernetes' 30 s termination grace (docs/operations.md, "Health checks, drain and shutdown").
  SHUTDOWN_DRAIN_MS: nonNegativeInt.default(5000),
  SHUTDOWN_GRACE_MS: nonNegativeInt.default(10000),
  // Prometheus' /metrics: on the main port, or on a port of its own (so it need not be public).
  METRICS_ENABLED: boolString.default(true),
  METRICS_PORT: positiveInt.max(65535).optional(),
  PASSWORD_SCRYPT_N: positiveInt.refine((n) => (n & (n - 1)) === 0 && n >= 1024, "must be a power of two ≥ 1024").default(16384),
  // The operator console (/console): how long a session lasts without a request.
  CONSOLE_SESSION_IDLE_S: positiveInt.default(28800),
  // Webhooks: the endpoints, how long one call may take, how long a delivery is retried, how often workers look.
  WEBHOOKS: jsonOf(webhooksSchema).optional(),
  WEBHOOK_TIMEOUT_MS: positiveInt.max(60000).default(5000),
  WEBHOOK_RETRY_FOR_S: positiveInt.default(86400),
  WEBHOOK_FIRST_RETRY_MS: positiveInt.default(5000),
  WEBHOOK_INTERVAL_MS: positiveInt.default(1000),
  // Events all of whose deliveries are settled are deleted this many days after they happened.
  WEBHOOK_KEEP_DAYS: positiveInt.max(3650).default(30),
  WEBHOOKS_ALLOW_PRIVATE: boolString.optional(),
});

/** Every configuration key the server reads (.env.example documents exactly these). */
export const CONFIG_KEYS: readonly string[] = Object.keys(envSchema.shape);

export { DEV_WEBHOOK_SECRET, type WebhookEndpoint };

export type Config = Readonly<{
  /** NODE_ENV=production: no emulator, no development secrets. */
  production: boolean;
  port: number;
  host: string;
  databaseUrl: string;
  databasePoolSize: number;
  databaseTimeoutMs: number;
  redisUrl: string;
  redisCommandTimeoutMs: number;
  /** Seed nodes of a Redis Cluster (then REDIS_URL gives only the credentials and TLS); unset: standalone Redis at REDIS_URL. */
  redisClusterNodes: ReadonlyArray<Readonly<{ host: string; port: number }>> | undefined;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  /** Readable log lines instead of JSON. */
  logPretty: boolean;
  sdkApps: ReadonlyMap<number, SdkApp>;
  imBaseUrl: string;
  imTimeoutMs: number;
  /** Development without IM_BASE_URL: the process starts the Tencent emulator on this loopback port (0: any). */
  tencentEmulatorPort: number | undefined;
  /** Where apps reach this server (the built-in replay index's URL starts with it); unset: the listening address. */
  publicUrl: string | undefined;
  /** The key Tencent signs its callbacks with: recording (sign = md5(key + t)) and IM (Sign = sha256(key + RequestTime)). */
  callbackKey: string;
  replayIndex: Readonly<{
    /** Base URL of the external index service (create_replay_index); unset: the server builds the index itself. */
    serviceUrl: string | undefined;
    /** A class's index is due this long after it ends (recordings arrive meanwhile). */
    delayS: number;
    /** Attempts before the index is given up (failed), and the first retry's delay (doubling). */
    attempts: number;
    backoffS: number;
    /** An accepted request whose callback has not come this long after is asked again. */
    callbackTimeoutS: number;
    timeoutMs: number;
    /** The scheduler's period, and whether this instance runs it. */
    intervalMs: number;
    enabled: boolean;
  }>;
  tokenIdleExpireS: number;
  userSigExpireS: number;
  teacherTimeoutS: number;
  memberTimeoutS: number;
  /** Silence before the reaper acts, per kind of room: a class's teacher and students, a live room's host and viewers. */
  roomTimeouts: Readonly<Record<"class" | "live", Readonly<{ hostS: number; memberS: number }>>>;
  /** The 随心播 live dialect: where it is mounted, the app of requests that name none, and its play URLs. */
  live: Readonly<{
    paths: readonly string[];
    defaultApp: SdkApp;
    bizId: number;
    playHost: string;
    /** cos.get_sign for the apps' room covers: switched on, its lifetime, the bucket and folder it covers, and how many a client address may ask for a minute. */
    coverSign: Readonly<{ enabled: boolean; expireS: number; bucket: string; prefix: string; perMinute: number }>;
    /** Ids of the accounts that may kick a user off IM (account.kickout), each in its own app. */
    kickoutAdmins: readonly string[];
  }>;
  reaperIntervalMs: number;
  reaperEnabled: boolean;
  corsOrigins: readonly string[];
  /** Take the client's address from X-Forwarded-For, as the nearest proxy appended it (else the TCP peer's). */
  trustProxy: boolean;
  bodyLimitBytes: number;
  bodyTimeoutMs: number;
  /** On SIGTERM: how long the instance answers /readyz 503 while still serving, so the load balancer stops sending. */
  shutdownDrainMs: number;
  shutdownGraceMs: number;
  passwordScryptN: number;
  /** Abuse limits per minute (0: none): logins and registrations per client address and per account id, token commands per user (the heartbeat apart), a member's heartbeats per class. */
  rateLimits: Readonly<{ loginPerAddress: number; loginPerAccount: number; tokenRequests: number; heartbeats: number }>;
  /** Prometheus metrics: exported at all, and the port of their own /metrics (unset: the main port's). */
  metrics: Readonly<{ enabled: boolean; port: number | undefined }>;
  /** The operator console: a session's idle expiry. */
  console: Readonly<{ sessionIdleS: number }>;
  /** Webhooks: the endpoints; a call's timeout; how long a delivery is retried; how often workers look; how long settled events are kept; whether loopback and private addresses may be called. */
  webhooks: Readonly<{ endpoints: readonly WebhookEndpoint[]; timeoutMs: number; retryForS: number; firstRetryMs: number; intervalMs: number; keepDays: number; allowPrivate: boolean }>;
  /** Tencent Cloud API credentials (COS and VOD signatures and calls) and the account APPID. */
  cloud: Readonly<{ appId: number; secretId: string; secretKey: string }>;
  cos: Readonly<{
    defaultBucket: string;
    /** Only these are signed. */
    buckets: readonly string[];
    region: string;
    previewTag: string;
    /** Lifetime of multi-use v4 signatures. */
    signExpireS: number;
    /** Lifetime of v5 (XML API) authorizations. */
    authorizationExpireS: number;
  }>;
  /** The ILVB backend API (videorelay): server-side recording and relay push. */
  videorelay: Readonly<{
    baseUrl: string;
    /** Mutual TLS: client certificate and key files (both or neither); a CA file to trust besides the system's. */
    certFile: string | undefined;
    keyFile: string | undefined;
    caFile: string | undefined;
    timeoutMs: number;
    /** Start recording / relay push when a class starts, stop them when it ends. */
    autoRecord: boolean;
    autoPush: boolean;
    /** What a relay push asks for: 1 HLS, 5 RTMP, 6 both; the bit rates (0 original, 10 SD, 20 HD). */
    pushLiveCode: 1 | 5 | 6;
    pushRateTypes: ReadonlyArray<0 | 10 | 20>;
  }>;
  vod: Readonly<{
    endpoint: VodEndpoint;
    v2BaseUrl: string;
    timeoutMs: number;
    signHosts: readonly string[];
    signActions: readonly string[];
    uploadSignExpireS: number;
    procedure: string | undefined;
    classId: number | undefined;
    subAppId: number | undefined;
  }>;
}>;

export class ConfigError extends Error {}

/** Parses configuration from an environment map; throws ConfigError naming the bad key. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value means "not set" (as in `KEY=` lines of .env files).
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid configuration: ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  if (production) refuseDevelopmentSecrets(e);
  if ((e.VIDEORELAY_CERT === undefined) !== (e.VIDEORELAY_KEY === undefined)) {
    throw new ConfigError(`invalid configuration: ${e.VIDEORELAY_CERT === undefined ? "VIDEORELAY_CERT" : "VIDEORELAY_KEY"}: mutual TLS needs both the certificate and the key`);
  }
  const emulated = !production && e.IM_BASE_URL === undefined;
  return Object.freeze({
    production,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseTimeoutMs: e.DATABASE_TIMEOUT_MS,
    redisUrl: e.REDIS_URL,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    redisClusterNodes: clusterNodesOf(e),
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_FORMAT === "pretty" || (e.LOG_FORMAT === "auto" && e.NODE_ENV !== "production" && process.stdout.isTTY === true),
    sdkApps: new Map(e.SDK_APPS.map((app) => [app.sdkAppId, app])),
    imBaseUrl: e.IM_BASE_URL ?? TENCENT_IM_BASE_URL,
    imTimeoutMs: e.IM_TIMEOUT_MS,
    tencentEmulatorPort: emulated ? e.TENCENT_EMULATOR_PORT : undefined,
    publicUrl: e.PUBLIC_URL,
    callbackKey: e.CALLBACK_KEY,
    replayIndex: {
      serviceUrl: e.REPLAY_INDEX_URL,
      delayS: e.REPLAY_INDEX_DELAY_S ?? (emulated ? EMULATED_REPLAY_INDEX_DELAY_S : REPLAY_INDEX_DELAY_S),
      attempts: e.REPLAY_INDEX_ATTEMPTS,
      backoffS: e.REPLAY_INDEX_BACKOFF_S,
      callbackTimeoutS: e.REPLAY_INDEX_CALLBACK_TIMEOUT_S,
      timeoutMs: e.REPLAY_INDEX_TIMEOUT_MS,
      intervalMs: e.REPLAY_INDEX_INTERVAL_MS,
      enabled: e.REPLAY_INDEX_ENABLED,
    },
    tokenIdleExpireS: e.TOKEN_IDLE_EXPIRE_S,
    userSigExpireS: e.USERSIG_EXPIRE_S,
    teacherTimeoutS: e.TEACHER_TIMEOUT_S,
    memberTimeoutS: e.MEMBER_TIMEOUT_S,
    roomTimeouts: {
      class: { hostS: e.TEACHER_TIMEOUT_S, memberS: e.MEMBER_TIMEOUT_S },
      live: { hostS: e.LIVE_HOST_TIMEOUT_S, memberS: e.LIVE_MEMBER_TIMEOUT_S },
    },
    live: {
      paths: e.LIVE_PATHS,
      defaultApp: liveDefaultApp(e),
      bizId: e.LIVE_BIZID,
      playHost: e.LIVE_PLAY_HOST ?? `${e.LIVE_BIZID}.liveplay.myqcloud.com`,
      coverSign: {
        enabled: e.LIVE_COS_SIGN,
        expireS: e.LIVE_COS_SIGN_EXPIRE_S,
        bucket: e.LIVE_COVER_BUCKET ?? e.COS_BUCKET,
        prefix: e.LIVE_COVER_PREFIX,
        perMinute: e.LIVE_COS_SIGN_PER_MINUTE,
      },
      kickoutAdmins: e.KICKOUT_ADMINS,
    },
    reaperIntervalMs: e.REAPER_INTERVAL_MS,
    reaperEnabled: e.REAPER_ENABLED,
    corsOrigins: e.CORS_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean),
    trustProxy: e.TRUST_PROXY,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    bodyTimeoutMs: e.BODY_TIMEOUT_MS,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    passwordScryptN: e.PASSWORD_SCRYPT_N,
    metrics: { enabled: e.METRICS_ENABLED, port: e.METRICS_PORT },
    console: { sessionIdleS: e.CONSOLE_SESSION_IDLE_S },
    // Loopback and private addresses: refused in production unless allowed (a receiver on the school's own network), allowed in development.
    webhooks: { endpoints: e.WEBHOOKS ?? (emulated ? developmentWebhooks(e.SDK_APPS, e.TENCENT_EMULATOR_PORT) : []), timeoutMs: e.WEBHOOK_TIMEOUT_MS, retryForS: e.WEBHOOK_RETRY_FOR_S, firstRetryMs: e.WEBHOOK_FIRST_RETRY_MS, intervalMs: e.WEBHOOK_INTERVAL_MS, keepDays: e.WEBHOOK_KEEP_DAYS, allowPrivate: e.WEBHOOKS_ALLOW_PRIVATE ?? !production },
    rateLimits: { loginPerAddress: e.LOGIN_PER_ADDRESS_PER_MINUTE, loginPerAccount: e.LOGIN_PER_ACCOUNT_PER_MINUTE, tokenRequests: e.TOKEN_REQUESTS_PER_MINUTE, heartbeats: e.HEARTBEATS_PER_MINUTE },
    cloud: { appId: e.TENCENT_APPID, secretId: e.TENCENT_SECRET_ID, secretKey: e.TENCENT_SECRET_KEY },
    cos: {
      defaultBucket: e.COS_BUCKET,
      buckets: [...new Set([e.COS_BUCKET, ...(e.COS_BUCKETS ?? [])])],
      region: e.COS_REGION,
      previewTag: e.COS_PREVIEW_TAG,
      signExpireS: e.COS_SIGN_EXPIRE_S,
      authorizationExpireS: e.COS_AUTH_EXPIRE_S,
    },
    videorelay: {
      baseUrl: e.VIDEORELAY_BASE_URL ?? TENCENT_VIDEORELAY_BASE_URL,
      certFile: e.VIDEORELAY_CERT,
      keyFile: e.VIDEORELAY_KEY,
      caFile: e.VIDEORELAY_CA,
      timeoutMs: e.VIDEORELAY_TIMEOUT_MS,
      autoRecord: e.AUTO_RECORD,
      autoPush: e.AUTO_PUSH,
      pushLiveCode: e.PUSH_LIVE_CODE as 1 | 5 | 6,
      pushRateTypes: e.PUSH_RATE_TYPES as Array<0 | 10 | 20>,
    },
    vod: {
      endpoint: vodEndpointOf(e.VOD_ENDPOINT),
      v2BaseUrl: e.VOD_V2_BASE_URL,
      timeoutMs: e.VOD_TIMEOUT_MS,
      signHosts: e.VOD_SIGN_HOSTS,
      signActions: e.VOD_SIGN_ACTIONS,
      uploadSignExpireS: e.VOD_UPLOAD_SIGN_EXPIRE_S,
      procedure: e.VOD_PROCEDURE,
      classId: e.VOD_CLASS_ID,
      subAppId: e.VOD_SUBAPPID,
    },
  });
}

/** REDIS_CLUSTER_NODES as host and port; a cluster has only db 0, so REDIS_URL may name no other. */
function clusterNodesOf(e: z.infer<typeof envSchema>): Config["redisClusterNodes"] {
  const nodes = e.REDIS_CLUSTER_NODES;
  if (nodes === undefined) return undefined;
  const db = /^rediss?:\/\/[^/?#]*\/?([^?#]*)/.exec(e.REDIS_URL)?.[1];
  if (db !== "" && db !== "0") {
    throw new ConfigError("invalid configuration: REDIS_URL: a Redis Cluster has only db 0; with REDIS_CLUSTER_NODES the URL names no other db");
  }
  return nodes;
}

/** The app of live-dialect requests that name none (Android logs in without appid): LIVE_APPID, else the first app. */
function liveDefaultApp(e: z.infer<typeof envSchema>): SdkApp {
  const app = e.LIVE_APPID === undefined ? e.SDK_APPS[0] : e.SDK_APPS.find((a) => a.sdkAppId === e.LIVE_APPID);
  if (!app) throw new ConfigError(`invalid configuration: LIVE_APPID: ${e.LIVE_APPID} is not one of SDK_APPS`);
  return app;
}

/** Secrets that only development may use: production refuses to start with them, naming the key. */
const DEVELOPMENT_SECRETS: ReadonlyArray<{ key: string; inUse: (e: z.infer<typeof envSchema>) => boolean }> = [
  { key: "SDK_APPS", inUse: (e) => e.SDK_APPS.some((app) => app.secretKey === DEV_SECRET_KEY) },
  { key: "TENCENT_SECRET_ID", inUse: (e) => e.TENCENT_SECRET_ID === DEV_CLOUD_SECRET_ID },
  { key: "TENCENT_SECRET_KEY", inUse: (e) => e.TENCENT_SECRET_KEY === DEV_CLOUD_SECRET_KEY },
  { key: "CALLBACK_KEY", inUse: (e) => e.CALLBACK_KEY === DEV_CALLBACK_KEY },
];

function refuseDevelopmentSecrets(e: z.infer<typeof envSchema>): void {
  const found = DEVELOPMENT_SECRETS.find((secret) => secret.inUse(e));
  if (found) {
    throw new ConfigError(`invalid configuration: ${found.key}: holds the development secret, which NODE_ENV=production refuses; set the real value`);
  }
  // The built-in replay index is a URL apps fetch: production must say where they reach the server.
  if (e.REPLAY_INDEX_URL === undefined && e.PUBLIC_URL === undefined) {
    throw new ConfigError("invalid configuration: PUBLIC_URL: required with NODE_ENV=production when the replay index is built in (no REPLAY_INDEX_URL)");
  }
}

/** Reads `.env` from the working directory into process.env (existing variables win). */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
