import { Client } from "pg";
import { resetStores as resetStoresOf, type TestRedisCluster } from "../../scripts/support/stores";

/**
 * Each jest worker gets its own PostgreSQL database and Redis db index, reset at the
 * start of every test file, so files never see each other's rows or keys.
 */

export const TEST_APP = { sdkAppId: 1400000001, secretKey: "test-secret-key-for-app-1400000001", admin: "admin" };
export const OTHER_APP = { sdkAppId: 1400000002, secretKey: "test-secret-key-for-app-1400000002", admin: "admin2" };
/** The key Tencent signs its callbacks with, as the tests' server is configured. */
export const TEST_CALLBACK_KEY = "test-callback-key";
/** The Tencent Cloud account of the tests (COS and VOD signatures): the server's credentials and the emulator's. */
export const TEST_CLOUD = { appId: 1250000009, secretId: "AKIDtestsecretid", secretKey: "testsecretkey", buckets: ["sxbedu", "other"], region: "sh" };

const workerId = () => Number(process.env.JEST_WORKER_ID ?? "1");

/**
 * TEST_DB_PREFIX / TEST_REDIS_DB_BASE let two suites run side by side on one machine. The prefix
 * must contain `_test` (the tests empty their databases): another is refused before any is made.
 */
export function testDatabaseUrl(suffix = ""): string {
  const prefix = process.env.TEST_DB_PREFIX ?? "sxb_edu_test";
  if (!prefix.includes("_test")) throw new Error(`TEST_DB_PREFIX=${prefix} is refused: it must contain "_test" (the tests empty the databases they use)`);
  return `postgresql://postgres@127.0.0.1:5432/${prefix}_w${workerId()}${suffix}`;
}

export function testRedisUrl(): string {
  return `redis://127.0.0.1:6379/${(Number(process.env.TEST_REDIS_DB_BASE ?? 1) + workerId() - 1) % 16}`;
}

/**
 * The environment of a test's server (in the jest process or as a process of its own): ephemeral port on loopback,
 * this worker's stores, every Tencent client pointed at the test's emulator, cheap password hashes, and no
 * background workers unless the test turns them on.
 */
export function testServerEnv(tencentUrl: string): Record<string, string> {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    SDK_APPS: JSON.stringify([TEST_APP, OTHER_APP]),
    IM_BASE_URL: tencentUrl,
    TENCENT_APPID: String(TEST_CLOUD.appId),
    TENCENT_SECRET_ID: TEST_CLOUD.secretId,
    TENCENT_SECRET_KEY: TEST_CLOUD.secretKey,
    COS_BUCKET: TEST_CLOUD.buckets[0]!,
    COS_BUCKETS: TEST_CLOUD.buckets.join(","),
    COS_REGION: TEST_CLOUD.region,
    VOD_ENDPOINT: tencentUrl,
    VOD_V2_BASE_URL: tencentUrl,
    VIDEORELAY_BASE_URL: tencentUrl,
    // Generous: a busy machine must not turn a slow emulator answer into an IM failure (fault tests set their own).
    IM_TIMEOUT_MS: "5000",
    // Likewise for Redis: after a stall, timers fire before the socket's waiting answers are read, so a
    // 1 s timeout (production's default) can fail a command Redis answered in time. Fault tests set their own.
    REDIS_COMMAND_TIMEOUT_MS: "5000",
    CALLBACK_KEY: TEST_CALLBACK_KEY,
    REPLAY_INDEX_ENABLED: "false",
    PASSWORD_SCRYPT_N: "1024",
    REAPER_ENABLED: "false",
    // Tests log in and call far more often than people: the abuse limits are tested on their own (test/rate-limits.test.ts).
    LOGIN_PER_ADDRESS_PER_MINUTE: "0",
    LOGIN_PER_ACCOUNT_PER_MINUTE: "0",
    TOKEN_REQUESTS_PER_MINUTE: "0",
    HEARTBEATS_PER_MINUTE: "0",
  };
}

/** Migrates (creating the database if needed) and empties every table and the Redis db (or a test's cluster). */
export async function resetStores(databaseUrl = testDatabaseUrl(), redis: string | TestRedisCluster = testRedisUrl()): Promise<void> {
  await resetStoresOf(databaseUrl, redis);
}

/** A direct PostgreSQL connection for assertions on rows. */
export async function sql<T extends Record<string, unknown>>(query: string, params: unknown[] = [], databaseUrl = testDatabaseUrl()): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(query, params)).rows;
  } finally {
    await client.end();
  }
}
