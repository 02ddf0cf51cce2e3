import { ConfigError, loadConfig, TENCENT_IM_BASE_URL } from "../src/config";
import { startTencentEmulator } from "../src/emulator";
import { launch } from "../src/launch";
import { liveWalkthrough } from "../scripts/support/live-walkthrough";
import { walkthrough } from "../scripts/support/walkthrough";
import { resetStores, TEST_CLOUD, testDatabaseUrl, testRedisUrl } from "./support/env";
import { capturingLogger } from "./support/logs";

/**
 * `npm start` as a newcomer runs it: development defaults, no IM_BASE_URL. The Tencent
 * emulator starts inside the process and the README walkthrough (`npm run demo`) runs a
 * whole class offline. Production never starts it and refuses the development secrets.
 */

const stores = { DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() };
const quick = { PORT: "0", HOST: "127.0.0.1", PASSWORD_SCRYPT_N: "1024", REAPER_ENABLED: "false", ...stores };
const REAL_APPS = JSON.stringify([{ sdkAppId: 1400000009, secretKey: "a-real-secret", admin: "admin" }]);
const REAL_CLOUD = { TENCENT_SECRET_ID: "AKIDreal", TENCENT_SECRET_KEY: "real-cloud-key", CALLBACK_KEY: "real-callback-key", PUBLIC_URL: "https://edu.example" };

beforeAll(() => resetStores());

describe("development without IM_BASE_URL", () => {
  test("the emulator starts in the process, says so once, and the demo walkthrough completes every step with 0, the replay included", async () => {
    const { log, lines } = capturingLogger();
    // The replay index is due at once (development's default is 5 s): the test waits less.
    const launched = await launch(loadConfig({ ...quick, TENCENT_EMULATOR_PORT: "0", REPLAY_INDEX_DELAY_S: "0", REPLAY_INDEX_INTERVAL_MS: "100" }), { log });
    try {
      const emulator = launched.emulator!;
      expect(emulator).toBeDefined();
      expect(launched.server.config.imBaseUrl).toBe(emulator.url);
      expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const warnings = lines.filter((l) => l.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ emulator: emulator.url, received: `${emulator.url}/__tencent/im/groups` });
      expect(String(warnings[0]!.msg)).toMatch(/emulated/);

      const steps: string[] = [];
      const cos = { url: emulator.url, tencentAppId: launched.server.config.cloud.appId };
      const result = await walkthrough(launched.server.url, 1400000000, (step) => steps.push(`${step.request} ${step.answer.errorCode}`), { cos, replayWithinMs: 15000, relay: true });
      expect(steps.every((s) => s.endsWith(" 0"))).toBe(true);
      expect(steps).toHaveLength(23);
      // The courseware went to the emulated COS with the server's signature, and is bound to the class.
      expect([...emulator.cos.objects.keys()]).toEqual([expect.stringMatching(/^sxbedu\/1400000000\/demo-teacher-[a-z0-9]+\/lesson\.ppt$/)]);
      expect(result.beginImSeq).toBeLessThan(result.endImSeq);

      // The read-only view shows the class markers IM received, with the sequence the course records.
      const view = (await (await fetch(`${emulator.url}/__tencent/im/groups/${result.roomnum}/messages`)).json()) as {
        messages: Array<{ msgSeq: number; msgBody: Array<{ decoded: { type: number } }> }>;
      };
      // …and the recordings' 1004s, once the emulated recording called the server back (signed, through the protocol door):
      // the file of the teacher's server-side recording (stopped before the end), then the class's bypass recording.
      const types = view.messages.map((m) => m.msgBody[0]!.decoded.type);
      expect(types.slice(0, 2)).toEqual([1001, 1003]);
      expect(types.filter((type) => type === 1004)).toHaveLength(2);
      expect(view.messages.find((m) => m.msgSeq === result.endImSeq)!.msgBody[0]!.decoded.type).toBe(1002);
      expect(view.messages[0]!.msgSeq).toBe(result.beginImSeq);
      expect(emulator.im.rejected).toEqual([]);
      expect(emulator.recorder.deliveries.map((d) => d.attempts.map((a) => a.status))).toEqual([[200], [200]]);
      expect(emulator.recorder.target?.url).toBe(`${launched.server.url}/index.php?svc=live&cmd=reccall`);

      // The class is replayable with no manual step: the playback list shows it with its videos, and its index is pulled.
      const { room, index } = result.playback!;
      expect(room).toMatchObject({ roomnum: result.roomnum, state: 3, begin_imseq: result.beginImSeq, end_imseq: result.endImSeq });
      expect(room.videos.map((v) => v.video_url).sort()).toEqual(emulator.recorder.deliveries.map((d) => String(d.payload.video_url)).sort());
      expect(room.playback_idx_url).toMatch(new RegExp(`^${launched.server.url}/api/v1/courses/${result.roomnum}/replay-index\\?sig=`));
      expect(index).toMatchObject({ roomnum: result.roomnum, begin_imseq: result.beginImSeq, end_imseq: result.endImSeq, videos: [expect.any(Object), expect.any(Object)] });
      // The relay push ended with the class.
      expect(emulator.videorelay.pushes.size).toBe(0);
      // Development's default WEBHOOKS: the school's receiver in the emulator got the class's events, signatures verified (the demo prints them).
      const schoolEvents = () => emulator.school.events.filter((e) => e.roomnum === result.roomnum).map((e) => e.type);
      // (the recordings are called back after the end: their events may follow replay.ready, as they happened)
      const arrived = () => ["replay.ready", "recording.stored"].every((type) => schoolEvents().includes(type)) && schoolEvents().filter((type) => type === "recording.stored").length === 2;
      for (const giveUpAt = Date.now() + 15000; !arrived() && Date.now() < giveUpAt; ) await new Promise((r) => setTimeout(r, 100));
      expect(schoolEvents().slice(0, 5)).toEqual(["course.created", "course.started", "member.joined", "member.joined", "member.left"]);
      expect(schoolEvents().filter((type) => type === "recording.stored")).toHaveLength(2);
      expect(schoolEvents()).toEqual(expect.arrayContaining(["course.ended", "attendance.ready", "replay.ready"]));
      expect(emulator.school.refused).toBe(0);
    } finally {
      await launched.close();
    }
  });

  test("npm run demo -- live: a 随心播 live show under /sxb/ completes every step with 0, its recording announced and listed", async () => {
    const launched = await launch(loadConfig({ ...quick, TENCENT_EMULATOR_PORT: "0" }), { log: capturingLogger().log });
    try {
      const steps: string[] = [];
      const result = await liveWalkthrough(launched.server.url, (step) => steps.push(`${step.request} ${step.answer.errorCode}`), {
        emulator: { url: launched.emulator!.url, sdkAppId: 1400000000 },
      });
      expect(steps.every((s) => s.endsWith(" 0"))).toBe(true);
      expect(steps).toHaveLength(20);
      expect(result.record).toMatchObject({ uid: expect.stringMatching(/^sxb-host-/), playurl: [expect.stringMatching(/^http:\/\//)], createTime: expect.any(Number) });
      // Through the live dialect's own callback URL, answered in both readers' shapes.
      const delivery = launched.emulator!.recorder.deliveries.at(-1)!;
      expect(delivery.attempts).toEqual([{ status: 200, answer: '{"code":0,"errorCode":0,"errorInfo":""}' }]);
    } finally {
      await launched.close();
    }
  });

  test("with IM_BASE_URL set, no emulator starts and the clients use that URL", async () => {
    const tencent = await startTencentEmulator({ apps: [{ sdkAppId: 1400000000, secretKey: "sxb-edu-development-secret-key-change-me", admin: "administrator" }], cloud: TEST_CLOUD });
    const { log, lines } = capturingLogger();
    const launched = await launch(loadConfig({ ...quick, IM_BASE_URL: tencent.url }), { log });
    try {
      expect(launched.emulator).toBeUndefined();
      expect(launched.server.config.imBaseUrl).toBe(tencent.url);
      expect(lines.filter((l) => l.level === 40)).toEqual([]);
    } finally {
      await launched.close();
      await tencent.close();
    }
  });
});

describe("NODE_ENV=production", () => {
  test("without real settings it refuses to start, naming the key", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/SDK_APPS: holds the development secret/);
    const devApp = JSON.stringify([{ sdkAppId: 1400000000, secretKey: "sxb-edu-development-secret-key-change-me", admin: "x" }, JSON.parse(REAL_APPS)[0]]);
    expect(() => loadConfig({ NODE_ENV: "production", SDK_APPS: devApp })).toThrow(/SDK_APPS/);
    // With real apps, the development Cloud API keys are the next refusal, each by name.
    expect(() => loadConfig({ NODE_ENV: "production", SDK_APPS: REAL_APPS })).toThrow(/TENCENT_SECRET_ID: holds the development secret/);
    expect(() => loadConfig({ NODE_ENV: "production", SDK_APPS: REAL_APPS, TENCENT_SECRET_ID: "AKIDreal" })).toThrow(/TENCENT_SECRET_KEY/);
    const realSecrets = { SDK_APPS: REAL_APPS, TENCENT_SECRET_ID: "AKIDreal", TENCENT_SECRET_KEY: "real-cloud-key" };
    expect(() => loadConfig({ NODE_ENV: "production", ...realSecrets })).toThrow(/CALLBACK_KEY: holds the development secret/);
    // The built-in replay index is a URL apps fetch: production says where they reach the server, unless an index service builds it.
    expect(() => loadConfig({ NODE_ENV: "production", ...realSecrets, CALLBACK_KEY: "k" })).toThrow(/PUBLIC_URL: required/);
    expect(loadConfig({ NODE_ENV: "production", ...realSecrets, CALLBACK_KEY: "k", REPLAY_INDEX_URL: "https://idx.example" }).publicUrl).toBeUndefined();
  });

  test("never starts the emulator: Tencent's own host unless IM_BASE_URL says otherwise", async () => {
    const config = loadConfig({ NODE_ENV: "production", SDK_APPS: REAL_APPS, ...REAL_CLOUD, TENCENT_EMULATOR_PORT: "0" });
    expect(config.production).toBe(true);
    expect(config.tencentEmulatorPort).toBeUndefined();
    expect(config.imBaseUrl).toBe(TENCENT_IM_BASE_URL);
    const launched = await launch(loadConfig({ ...quick, NODE_ENV: "production", SDK_APPS: REAL_APPS, ...REAL_CLOUD }), { log: capturingLogger().log });
    try {
      expect(launched.emulator).toBeUndefined();
      expect(launched.server.config.imBaseUrl).toBe(TENCENT_IM_BASE_URL);
    } finally {
      await launched.close();
    }
  });
});
