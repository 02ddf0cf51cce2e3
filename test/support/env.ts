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

/** TEST_DB_PREFIX / TEST_REDIS_DB_BASE let two suites run side by side on one machine. */
export function testDatabaseUrl(suffix = ""): string {
  return `postgresql://postgres@127.0.0.1:5432/${process.env.TEST_DB_PREFIX ?? "sxb_edu_test"}_w${workerId()}${suffix}`;
}

export function testRedisUrl(): string {
  return `redis://127.0.0.1:6379/${(Number(process.env.TEST_REDIS_DB_BASE ?? 1) + workerId() - 1) % 16}`;
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
