import { Redis } from "ioredis";
import { loadConfig } from "../../src/config";
import { type EmulatedApp, type ImMode, type RejectedRequest, startTencentEmulator, type TencentEmulator } from "../../src/emulator";
import { createLogger, type Logger } from "../../src/logger";
import { startServer, type RunningServer } from "../../src/server";
import { TEST_APP, OTHER_APP, TEST_CLOUD, resetStores, testDatabaseUrl, testRedisUrl, testServerEnv } from "./env";
import { guardSlots } from "./slot-guard";
import { type OpenApiCheck, openApiCheckOf } from "./openapi-check";

/** A class marker as IM received it: the custom element's Data decoded. */
export interface ReceivedMarker {
  groupId: string;
  fromAccount: string;
  random: number;
  msgSeq: number;
  data: { type: number; seq: number; timestamp: number; value: Record<string, unknown> };
}

/** The IM side of the emulator as the tests drive it. */
export interface TestIm {
  mode: ImMode;
  /** Delay of every Tencent answer, ms. */
  delayMs: number;
  /** Every message IM accepted, oldest first, with its marker decoded. */
  readonly messages: ReceivedMarker[];
  /** Requests IM refused for their format or signature (a correct server causes none). */
  readonly rejected: RejectedRequest[];
}

function testImOf(emulator: TencentEmulator): TestIm {
  return {
    get mode() {
      return emulator.im.mode;
    },
    set mode(mode: ImMode) {
      emulator.im.mode = mode;
    },
    get delayMs() {
      return emulator.delayMs;
    },
    set delayMs(ms: number) {
      emulator.delayMs = ms;
    },
    get messages() {
      return emulator.im.received.map((m) => ({
        groupId: m.groupId,
        fromAccount: m.fromAccount,
        random: m.random,
        msgSeq: m.msgSeq,
        data: JSON.parse(String(m.msgBody[0]?.MsgContent.Data)) as ReceivedMarker["data"],
      }));
    },
    get rejected() {
      return emulator.im.rejected;
    },
  };
}

/** The real server on an ephemeral port, with fresh stores and the Tencent emulator. */
export interface TestServer {
  server: RunningServer;
  url: string;
  tencent: TencentEmulator;
  im: TestIm;
  /** SQL statements the server has sent (the test hook of the database client). */
  sqlStatements: { count: number };
  /** POST …/index.php?svc&cmd with a JSON body (the live dialect: `path: "/sxb/index.php"`); returns status and parsed envelope. */
  call(
    svc: string,
    cmd: string,
    body?: unknown,
    init?: { method?: string; contentType?: string | null; path?: string; raw?: string; query?: Record<string, string> },
  ): Promise<ProtocolAnswer>;
  /** A REST request under /api/v1. */
  rest(method: string, path: string, options?: { body?: unknown; token?: string; raw?: string }): Promise<RestAnswer>;
  close(): Promise<void>;
}

export interface ProtocolAnswer {
  status: number;
  text: string;
  headers: Headers;
  // Tencent's callbacks answer in Tencent's shapes ({code}, {ActionStatus, ErrorCode, ErrorInfo}): other keys are read too.
  body: { errorCode: number; errorInfo: string; data?: any; [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary data
}

export interface RestAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
}

/** Tencent knows the test apps and any other the test configures the server with (SDK_APPS): a deployment's apps are Tencent's. */
function tencentAppsFor(env: Record<string, string>): EmulatedApp[] {
  const configured = env.SDK_APPS === undefined ? [] : (JSON.parse(env.SDK_APPS) as EmulatedApp[]);
  return [TEST_APP, OTHER_APP, ...configured.filter((app) => app.sdkAppId !== TEST_APP.sdkAppId && app.sdkAppId !== OTHER_APP.sdkAppId)];
}

/**
 * `keepStores`: a second server beside one still in use in the same file shares its stores
 * (a reset would end the first one's sessions and rows in the middle of its tests).
 * `redisCluster`: the seed nodes (REDIS_CLUSTER_NODES) of a Redis Cluster the test started, used
 * instead of the worker's standalone Redis db. On a standalone Redis every command is checked
 * against Redis Cluster's one-slot rule (test/support/slot-guard.ts): closing fails on a breach.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { log?: Logger; keepStores?: boolean; tencentReplayIndex?: boolean; redisCluster?: string } = {},
): Promise<TestServer> {
  // A cluster has only db 0: REDIS_URL then gives the nodes' credentials only.
  const redis = options.redisCluster === undefined ? { REDIS_URL: testRedisUrl() } : { REDIS_URL: "redis://127.0.0.1:6379/0", REDIS_CLUSTER_NODES: options.redisCluster };
  if (!options.keepStores) await resetStores(testDatabaseUrl(), options.redisCluster === undefined ? testRedisUrl() : { clusterNodes: options.redisCluster });
  const tencent = await startTencentEmulator({ apps: tencentAppsFor(env), cloud: TEST_CLOUD });
  const config = loadConfig({
    ...testServerEnv(tencent.url),
    ...redis,
    // `tencentReplayIndex`: the emulator's index service builds the replay index (else the server does).
    ...(options.tencentReplayIndex ? { REPLAY_INDEX_URL: tencent.url } : {}),
    ...env,
  });
  const sqlStatements = { count: 0 };
  const server = await startServer(config, {
    log: options.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    hooks: { onDbQuery: () => (sqlStatements.count += 1) },
  });
  const url = server.url;
  const slots = server.redis instanceof Redis ? guardSlots(server.redis) : undefined;
  // Tencent's consoles, set to call this server back (bypass recording stays off until a test turns it on).
  tencent.recorder.target = { url: `${url}/api/v1/callbacks/recording`, key: config.callbackKey };
  tencent.recorder.liveTarget = { url: `${url}/sxb/index.php?svc=live&cmd=callback`, key: config.callbackKey };
  tencent.recorder.retryDelayMs = 50;
  tencent.replayIndex.callback = { url: `${url}/api/v1/callbacks/replay-index`, token: config.callbackKey };

  const call: TestServer["call"] = async (svc, cmd, body = {}, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.contentType !== null) headers["content-type"] = init.contentType ?? "application/json";
    const method = init.method ?? "POST";
    const extra = init.query ? `&${new URLSearchParams(init.query).toString()}` : "";
    const response = await fetch(`${url}${init.path ?? "/index.php"}?svc=${encodeURIComponent(svc)}&cmd=${encodeURIComponent(cmd)}${extra}`, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" ? undefined : (init.raw ?? JSON.stringify(body)),
    });
    const text = await response.text();
    return { status: response.status, text, headers: response.headers, body: JSON.parse(text) as ProtocolAnswer["body"] };
  };

  // Every REST answer is checked against the OpenAPI document the server serves.
  let openApi: Promise<OpenApiCheck> | undefined;
  const rest: TestServer["rest"] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${url}/api/v1${path}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    const answer = { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    (await (openApi ??= openApiCheckOf(url))).check(method, `/api/v1${path}`, answer.status, answer.body);
    return answer;
  };

  return {
    server,
    url,
    tencent,
    im: testImOf(tencent),
    sqlStatements,
    call,
    rest,
    async close() {
      await server.close();
      await tencent.close();
      if (slots?.breaches.length) throw new Error(`Redis calls a Redis Cluster refuses (CROSSSLOT):\n${slots.breaches.join("\n")}`);
    },
  };
}

/** Common fields for TEST_APP. */
export const C = { appid: TEST_APP.sdkAppId, timeStamp: 12345 };

/** teacher1, student1 and student2 of TEST_APP, logged in: the usual cast of a classroom test. */
export async function signUpClassroom(t: TestServer): Promise<{ T: string; S: string; S2: string }> {
  return { T: await signUp(t, "teacher1", 1), S: await signUp(t, "student1", 0), S2: await signUp(t, "student2", 0) };
}

/** Registers and logs in a user (of TEST_APP unless said); returns its token. */
export async function signUp(t: TestServer, id: string, role: 0 | 1, app: { sdkAppId: number } = TEST_APP): Promise<string> {
  const common = { appid: app.sdkAppId, timeStamp: C.timeStamp };
  const pwd = "cGFzc3dvcmQ=";
  const reg = await t.call("account", "regist", { ...common, id, pwd, role });
  if (reg.body.errorCode !== 0) throw new Error(`regist ${id}: ${reg.text}`);
  const login = await t.call("account", "login", { ...common, id, pwd });
  if (login.body.errorCode !== 0) throw new Error(`login ${id}: ${login.text}`);
  return login.body.data.token as string;
}
