import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_KEYS, ConfigError, loadConfig } from "../src/config";

/** loadConfig: the development defaults of spec/config.md, validation naming the key, empty = unset. */

describe("defaults (empty environment)", () => {
  const config = loadConfig({});

  test("listen address and stores", () => {
    expect(config.port).toBe(8080);
    expect(config.host).toBe("0.0.0.0");
    expect(config.databaseUrl).toBe("postgresql://postgres@127.0.0.1:5432/sxb_edu");
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379/0");
    expect(config.logLevel).toBe("info");
  });

  test("one development SDK app", () => {
    expect([...config.sdkApps.keys()]).toEqual([1400000000]);
    const app = config.sdkApps.get(1400000000)!;
    expect(app.sdkAppId).toBe(1400000000);
    expect(app.secretKey.length).toBeGreaterThan(0);
    expect(app.admin.length).toBeGreaterThan(0);
  });

  test("timeouts, reaper, replay, CORS and IM", () => {
    expect(config.tokenIdleExpireS).toBe(604800);
    expect(config.teacherTimeoutS).toBe(300);
    expect(config.memberTimeoutS).toBe(120);
    expect(config.reaperIntervalMs).toBe(1000);
    expect(config.reaperEnabled).toBe(true);
    expect(config.corsOrigins).toEqual(["*"]);
    expect(config.imBaseUrl).toBe("https://console.tim.qq.com");
  });

  test("replay index: built in, due 300 s after the end (5 s in development with the emulator), 5 attempts from 60 s", () => {
    expect(config.replayIndex).toEqual({
      serviceUrl: undefined,
      delayS: 5,
      attempts: 5,
      backoffS: 60,
      callbackTimeoutS: 600,
      timeoutMs: 5000,
      intervalMs: 1000,
      enabled: true,
    });
    expect(loadConfig({ IM_BASE_URL: "http://127.0.0.1:9" }).replayIndex.delayS).toBe(300);
    expect(loadConfig({ REPLAY_INDEX_DELAY_S: "42" }).replayIndex.delayS).toBe(42);
    expect(loadConfig({ REPLAY_INDEX_URL: "http://idx.example:81/" }).replayIndex.serviceUrl).toBe("http://idx.example:81");
    expect(config.publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: "https://edu.example/" }).publicUrl).toBe("https://edu.example");
    expect(config.callbackKey.length).toBeGreaterThan(0);
  });

  test("videorelay: Tencent's host, no client certificate, 5 s; no auto recording or push; pushes ask for HLS and RTMP at the original rate", () => {
    expect(config.videorelay).toEqual({
      baseUrl: "https://openapi.tim.qq.com",
      certFile: undefined,
      keyFile: undefined,
      caFile: undefined,
      timeoutMs: 5000,
      autoRecord: false,
      autoPush: false,
      pushLiveCode: 6,
      pushRateTypes: [0],
    });
    const set = loadConfig({ VIDEORELAY_BASE_URL: "https://test.tim.qq.com/", AUTO_RECORD: "true", AUTO_PUSH: "1", PUSH_LIVE_CODE: "5", PUSH_RATE_TYPES: "0, 10,20" });
    expect(set.videorelay).toMatchObject({ baseUrl: "https://test.tim.qq.com", autoRecord: true, autoPush: true, pushLiveCode: 5, pushRateTypes: [0, 10, 20] });
    const pem = join(__dirname, "..", "package.json"); // any readable file: the check is that it can be read
    expect(loadConfig({ VIDEORELAY_CERT: pem, VIDEORELAY_KEY: pem }).videorelay).toMatchObject({ certFile: pem, keyFile: pem });
  });

  test("the live dialect: under every path the live apps use (/sxb/, /sxb_dev/, /sxb_new/), the first app by default, hosts 90 s and viewers 30 s, BIZID 8888", () => {
    expect(config.live).toEqual({
      paths: ["/sxb/", "/sxb_dev/", "/sxb_new/"],
      defaultApp: config.sdkApps.get(1400000000),
      bizId: 8888,
      playHost: "8888.liveplay.myqcloud.com",
      coverSign: { enabled: true, expireS: 600, bucket: "sxbedu", prefix: "/", perMinute: 10 },
      kickoutAdmins: [],
    });
    expect(config.roomTimeouts).toEqual({ class: { hostS: 300, memberS: 120 }, live: { hostS: 90, memberS: 30 } });
    const apps = JSON.stringify([
      { sdkAppId: 1400000001, secretKey: "k1", admin: "a1" },
      { sdkAppId: 1400000002, secretKey: "k2", admin: "a2" },
    ]);
    const set = loadConfig({ SDK_APPS: apps, LIVE_APPID: "1400000002", LIVE_PATHS: "/sxb/, /sxb_dev/", LIVE_BIZID: "1234", LIVE_PLAY_HOST: "play.example.com", LIVE_MEMBER_TIMEOUT_S: "45" });
    expect(set.live).toMatchObject({ paths: ["/sxb/", "/sxb_dev/"], defaultApp: set.sdkApps.get(1400000002), bizId: 1234, playHost: "play.example.com" });
    const covers = loadConfig({ LIVE_COS_SIGN: "false", LIVE_COS_SIGN_EXPIRE_S: "300", LIVE_COVER_BUCKET: "covers", LIVE_COVER_PREFIX: "/room/covers/", LIVE_COS_SIGN_PER_MINUTE: "3", KICKOUT_ADMINS: "ops, root" });
    expect(covers.live.coverSign).toEqual({ enabled: false, expireS: 300, bucket: "covers", prefix: "/room/covers/", perMinute: 3 });
    expect(covers.live.kickoutAdmins).toEqual(["ops", "root"]);
    expect(() => loadConfig({ LIVE_COVER_PREFIX: "covers" })).toThrow(/LIVE_COVER_PREFIX/);
    expect(() => loadConfig({ LIVE_COVER_PREFIX: "/a/../b/" })).toThrow(/LIVE_COVER_PREFIX/);
    expect(set.roomTimeouts.live.memberS).toBe(45);
    expect(() => loadConfig({ SDK_APPS: apps, LIVE_APPID: "1400000009" })).toThrow(/LIVE_APPID: 1400000009 is not one of SDK_APPS/);
  });

  test("development: no IM_BASE_URL means the built-in emulator on 8081; a pool of 10", () => {
    expect(config.production).toBe(false);
    expect(config.tencentEmulatorPort).toBe(8081);
    expect(config.databasePoolSize).toBe(10);
    expect(loadConfig({ IM_BASE_URL: "http://127.0.0.1:9/" }).tencentEmulatorPort).toBeUndefined();
    expect(loadConfig({ TENCENT_EMULATOR_PORT: "0" }).tencentEmulatorPort).toBe(0);
    expect(loadConfig({ DATABASE_POOL_SIZE: "25" }).databasePoolSize).toBe(25);
  });

  test("shutdown: SIGTERM drains 5 s, then requests in flight have 10 s", () => {
    expect({ drain: config.shutdownDrainMs, grace: config.shutdownGraceMs }).toEqual({ drain: 5000, grace: 10000 });
    expect(loadConfig({ SHUTDOWN_DRAIN_MS: "0" }).shutdownDrainMs).toBe(0);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: "-1" })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });

  test("loadConfig reads the map it is given, not process.env", () => {
    const saved = process.env.PORT;
    process.env.PORT = "1234";
    try {
      expect(loadConfig({}).port).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});

describe("values", () => {
  test("set values are parsed", () => {
    const config = loadConfig({
      PORT: "9000",
      HOST: "127.0.0.1",
      DATABASE_URL: "postgres://u@db:5432/x",
      REDIS_URL: "rediss://cache:6380/2",
      SDK_APPS: JSON.stringify([
        { sdkAppId: 1400000001, secretKey: "k1", admin: "a1" },
        { sdkAppId: 1400000002, secretKey: "k2", admin: "a2" },
      ]),
      TOKEN_IDLE_EXPIRE_S: "60",
      TEACHER_TIMEOUT_S: "30",
      MEMBER_TIMEOUT_S: "20",
      REAPER_INTERVAL_MS: "250",
      REAPER_ENABLED: "false",
      REPLAY_INDEX_DELAY_S: "0",
      CORS_ORIGINS: "https://a.example, https://b.example",
      IM_BASE_URL: "http://127.0.0.1:9999/",
    });
    expect(config.port).toBe(9000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.databaseUrl).toBe("postgres://u@db:5432/x");
    expect(config.redisUrl).toBe("rediss://cache:6380/2");
    expect([...config.sdkApps.keys()]).toEqual([1400000001, 1400000002]);
    expect(config.sdkApps.get(1400000002)).toEqual({ sdkAppId: 1400000002, secretKey: "k2", admin: "a2" });
    expect(config.tokenIdleExpireS).toBe(60);
    expect(config.teacherTimeoutS).toBe(30);
    expect(config.memberTimeoutS).toBe(20);
    expect(config.reaperIntervalMs).toBe(250);
    expect(config.reaperEnabled).toBe(false);
    expect(config.replayIndex.delayS).toBe(0);
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(config.imBaseUrl).toBe("http://127.0.0.1:9999");
  });

  test.each([
    ["true", true],
    ["1", true],
    ["false", false],
    ["0", false],
  ])("REAPER_ENABLED=%s → %s", (value, expected) => {
    expect(loadConfig({ REAPER_ENABLED: value }).reaperEnabled).toBe(expected);
  });

  test("empty strings count as unset", () => {
    const keys = [
      "PORT",
      "HOST",
      "DATABASE_URL",
      "REDIS_URL",
      "LOG_LEVEL",
      "SDK_APPS",
      "IM_BASE_URL",
      "REPLAY_INDEX_DELAY_S",
      "TOKEN_IDLE_EXPIRE_S",
      "TEACHER_TIMEOUT_S",
      "MEMBER_TIMEOUT_S",
      "REAPER_INTERVAL_MS",
      "REAPER_ENABLED",
      "CORS_ORIGINS",
    ];
    const config = loadConfig(Object.fromEntries(keys.map((k) => [k, ""])));
    const defaults = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.reaperEnabled).toBe(true);
    expect(config.sdkApps.has(1400000000)).toBe(true);
    expect({ ...config, sdkApps: [...config.sdkApps] }).toEqual({ ...defaults, sdkApps: [...defaults.sdkApps] });
  });

  test("REDIS_CLUSTER_NODES: unset is standalone Redis; set, the seed nodes (IPv6 in brackets), REDIS_URL naming db 0 or none", () => {
    expect(loadConfig({}).redisClusterNodes).toBeUndefined();
    const nodes = "10.0.0.1:7000, redis-b.internal:7001,[::1]:7002";
    expect(loadConfig({ REDIS_CLUSTER_NODES: nodes }).redisClusterNodes).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "redis-b.internal", port: 7001 },
      { host: "::1", port: 7002 },
    ]);
    for (const url of ["redis://:secret@10.0.0.1:7000", "rediss://user:secret@cache/0", "redis://cache:6379/"]) {
      expect(loadConfig({ REDIS_CLUSTER_NODES: nodes, REDIS_URL: url }).redisUrl).toBe(url);
    }
  });

  test("undefined values count as unset", () => {
    expect(loadConfig({ PORT: undefined, SDK_APPS: undefined }).port).toBe(8080);
  });
});

describe("bad values throw ConfigError naming the key", () => {
  test.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "80.5"],
    ["SDK_APPS", "not-json"],
    ["SDK_APPS", "[]"],
    ["SDK_APPS", "{}"],
    ["SDK_APPS", JSON.stringify([{ sdkAppId: 1400000001, secretKey: "", admin: "a" }])],
    ["SDK_APPS", JSON.stringify([{ sdkAppId: "1400000001", secretKey: "k", admin: "a" }])],
    [
      "SDK_APPS",
      JSON.stringify([
        { sdkAppId: 1400000001, secretKey: "k1", admin: "a1" },
        { sdkAppId: 1400000001, secretKey: "k2", admin: "a2" },
      ]),
    ],
    ["TOKEN_IDLE_EXPIRE_S", "0"],
    ["TOKEN_IDLE_EXPIRE_S", "-5"],
    ["TEACHER_TIMEOUT_S", "x"],
    ["MEMBER_TIMEOUT_S", "0"],
    ["REAPER_INTERVAL_MS", "0"],
    ["REAPER_ENABLED", "maybe"],
    ["REPLAY_INDEX_DELAY_S", "-1"],
    ["REPLAY_INDEX_URL", "not a url"],
    ["REPLAY_INDEX_ATTEMPTS", "0"],
    ["REPLAY_INDEX_BACKOFF_S", "0"],
    ["REPLAY_INDEX_CALLBACK_TIMEOUT_S", "x"],
    ["REPLAY_INDEX_TIMEOUT_MS", "60000"],
    ["REPLAY_INDEX_INTERVAL_MS", "0"],
    ["REPLAY_INDEX_ENABLED", "maybe"],
    ["PUBLIC_URL", "edu.example"],
    ["VIDEORELAY_BASE_URL", "openapi.tim.qq.com"],
    ["VIDEORELAY_CERT", "/no/such/file.pem"],
    ["VIDEORELAY_KEY", "/no/such/file.key"],
    ["VIDEORELAY_CA", "/no/such/ca.pem"],
    ["VIDEORELAY_TIMEOUT_MS", "0"],
    ["AUTO_RECORD", "sometimes"],
    ["AUTO_PUSH", "2"],
    ["PUSH_LIVE_CODE", "2"],
    ["PUSH_RATE_TYPES", "0,30"],
    ["PUSH_RATE_TYPES", ","],
    ["LIVE_PATHS", "sxb"],
    ["LIVE_PATHS", "/sxb"],
    ["LIVE_APPID", "x"],
    ["LIVE_HOST_TIMEOUT_S", "0"],
    ["LIVE_MEMBER_TIMEOUT_S", "-1"],
    ["LIVE_BIZID", "abc"],
    ["LIVE_PLAY_HOST", "http://x/"],
    ["DATABASE_URL", "mysql://x"],
    ["REDIS_URL", "http://x"],
    ["REDIS_CLUSTER_NODES", "10.0.0.1"],
    ["REDIS_CLUSTER_NODES", "10.0.0.1:0"],
    ["REDIS_CLUSTER_NODES", "10.0.0.1:65536"],
    ["REDIS_CLUSTER_NODES", "10.0.0.1:7000,:7001"],
    ["REDIS_CLUSTER_NODES", "redis://10.0.0.1:7000"],
    ["REDIS_CLUSTER_NODES", ","],
    ["IM_BASE_URL", "ftp://x"],
    ["IM_BASE_URL", "not a url"],
    ["LOG_LEVEL", "loud"],
    ["DATABASE_POOL_SIZE", "0"],
    ["DATABASE_POOL_SIZE", "many"],
    ["TENCENT_EMULATOR_PORT", "70000"],
    ["NODE_ENV", "staging"],
  ])("%s=%s", (key, value) => {
    let thrown: unknown;
    try {
      loadConfig({ [key]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(key);
  });

  test("REDIS_URL naming a db other than 0 beside REDIS_CLUSTER_NODES (a cluster has only db 0)", () => {
    for (const url of ["redis://cache:6379/2", "rediss://:pw@cache/12"]) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: "10.0.0.1:7000", REDIS_URL: url })).toThrow(
        new ConfigError("invalid configuration: REDIS_URL: a Redis Cluster has only db 0; with REDIS_CLUSTER_NODES the URL names no other db"),
      );
    }
  });

  test("the key named is the bad one, not a neighbour", () => {
    let thrown: unknown;
    try {
      loadConfig({ PORT: "8081", TOKEN_IDLE_EXPIRE_S: "0", HOST: "127.0.0.1" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain("TOKEN_IDLE_EXPIRE_S");
    expect((thrown as Error).message).not.toContain("PORT");
  });
});

test("mutual TLS needs both the certificate and the key", () => {
  const pem = join(__dirname, "..", "package.json");
  expect(() => loadConfig({ VIDEORELAY_CERT: pem })).toThrow(/VIDEORELAY_KEY: mutual TLS needs both/);
  expect(() => loadConfig({ VIDEORELAY_KEY: pem })).toThrow(/VIDEORELAY_CERT: mutual TLS needs both/);
});

describe(".env.example", () => {
  test("documents exactly the keys the server reads, each with a comment", () => {
    const lines = readFileSync(join(__dirname, "..", ".env.example"), "utf8").split("\n");
    const keys = lines.filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).map((l) => l.split("=")[0]);
    expect([...keys].sort()).toEqual([...CONFIG_KEYS].sort());
    // …and the example values parse.
    const env = Object.fromEntries(lines.filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe("LOG_FORMAT", () => {
  test("auto: JSON when stdout is not a terminal (jest's, a pipe, a log collector) and in production; pretty and json force one", () => {
    expect(process.stdout.isTTY).not.toBe(true);
    expect(loadConfig({}).logPretty).toBe(false);
    expect(loadConfig({ LOG_FORMAT: "pretty" }).logPretty).toBe(true);
    expect(loadConfig({ LOG_FORMAT: "json" }).logPretty).toBe(false);
    const tty = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
    Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
    try {
      expect(loadConfig({}).logPretty).toBe(true);
      expect(loadConfig({ LOG_FORMAT: "json" }).logPretty).toBe(false);
    } finally {
      if (tty) Object.defineProperty(process.stdout, "isTTY", tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(() => loadConfig({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT/);
  });
});
