import { launch } from "../src/launch";
import { loadConfig } from "../src/config";
import { capturingLogger } from "./support/logs";
import { C, signUpClassroom, startTestServer } from "./support/harness";
import { resetStores, testDatabaseUrl, testRedisUrl } from "./support/env";
import { walkthrough } from "../scripts/support/walkthrough";
import { liveWalkthrough } from "../scripts/support/live-walkthrough";

/**
 * No secret in any log line at any level: both demos run against `npm start`'s composition
 * (the emulator in the process) with the server's own logger at trace level, and every log
 * line is searched for each secret the run saw: the passwords sent, every token, userSig and
 * signature answered, the admin userSigs IM received, the apps' and the cloud's keys.
 */

/** Answer fields that carry secrets (searched at any depth). */
const SECRET_KEYS = /^(token|userSig|usersig|sign|signature|sig|authorization|privMapEncrypt|Authorization)$/;

function secretsIn(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) return value.forEach((item) => secretsIn(item, found));
  if (typeof value !== "object" || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_KEYS.test(key) && typeof inner === "string" && inner.length >= 8) found.add(inner);
    else secretsIn(inner, found);
  }
}

test("both demos at trace level: no password, token, userSig, signature or key appears in a log line", async () => {
  await resetStores();
  const logs = capturingLogger("trace");
  const secrets = { APP: "log-test-app-secret-key", CLOUD: "log-test-cloud-secret-key", CALLBACK: "log-test-callback-key" };
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    PASSWORD_SCRYPT_N: "1024",
    TENCENT_EMULATOR_PORT: "0",
    REPLAY_INDEX_DELAY_S: "0",
    REPLAY_INDEX_INTERVAL_MS: "100",
    SDK_APPS: JSON.stringify([{ sdkAppId: 1400000000, secretKey: secrets.APP, admin: "administrator" }]),
    TENCENT_SECRET_KEY: secrets.CLOUD,
    CALLBACK_KEY: secrets.CALLBACK,
    LOG_LEVEL: "trace",
  });
  const launched = await launch(config, { log: logs.log });
  const seen = new Set<string>(["ZGVtby1wYXNzd29yZA==", ...Object.values(secrets)]); // the demos' password, the configured keys
  try {
    const emulator = launched.emulator!;
    const collect = (step: { answer: unknown }) => secretsIn(step.answer, seen);
    await walkthrough(launched.server.url, 1400000000, collect, { cos: { url: emulator.url, tencentAppId: config.cloud.appId }, replayWithinMs: 15000, relay: true });
    await liveWalkthrough(launched.server.url, collect, { emulator: { url: emulator.url, sdkAppId: 1400000000 } });
    for (const request of emulator.im.received) if (request.query.usersig) seen.add(request.query.usersig);
  } finally {
    await launched.close();
  }
  // The run was logged in detail (every request at trace), and saw secrets of every kind.
  expect(logs.texts.length).toBeGreaterThan(50);
  expect(logs.lines.filter((line) => line.msg === "request").length).toBeGreaterThan(30);
  expect(seen.size).toBeGreaterThan(10);
  const leaks = [...seen].flatMap((secret) => logs.texts.filter((text) => text.includes(secret)).map((text) => `${secret.slice(0, 12)}… in ${text.slice(0, 300)}`));
  expect(leaks).toEqual([]);
});

test("every outbound Tencent call is logged with the id of the request that caused it", async () => {
  const logs = capturingLogger("info");
  const t = await startTestServer({}, { log: logs.log });
  try {
    const { T } = await signUpClassroom(t);
    const roomnum = (await t.call("live", "create", { ...C, token: T, title: "traced" })).body.data.roomnum as number;
    const response = await fetch(`${t.url}/index.php?svc=live&cmd=startcourse`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "trace-me-1" },
      body: JSON.stringify({ ...C, token: T, roomnum }),
    });
    expect(((await response.json()) as { errorCode: number }).errorCode).toBe(0);
    const calls = logs.lines.filter((line) => line.msg === "tencent call");
    expect(calls).toEqual([expect.objectContaining({ level: 30, requestId: "trace-me-1", service: "im", outcome: "ok", ms: expect.any(Number) })]);
    // The request's own access line carries the same id.
    expect(logs.lines.find((line) => line.msg === "request" && line.command === "live.startcourse")).toMatchObject({ requestId: "trace-me-1" });
  } finally {
    await t.close();
  }
});
