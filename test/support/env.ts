import { Client } from "pg";
import { Redis } from "ioredis";
import { migrate } from "../../src/infra/db/migrate";

/**
 * Each jest worker gets its own PostgreSQL database and Redis db index, reset at the
 * start of every test file, so files never see each other's rows or keys.
 */

export const TEST_APP = { sdkAppId: 1400000001, secretKey: "test-secret-key-for-app-1400000001", admin: "admin" };
export const OTHER_APP = { sdkAppId: 1400000002, secretKey: "test-secret-key-for-app-1400000002", admin: "admin2" };

const workerId = () => Number(process.env.JEST_WORKER_ID ?? "1");

export function testDatabaseUrl(suffix = ""): string {
  return `postgresql://postgres@127.0.0.1:5432/sxb_edu_test_w${workerId()}${suffix}`;
}

export function testRedisUrl(): string {
  return `redis://127.0.0.1:6379/${1 + (workerId() % 15)}`;
}

/** Migrates (creating the database if needed) and empties every table and the Redis db. */
export async function resetStores(databaseUrl = testDatabaseUrl(), redisUrl = testRedisUrl()): Promise<void> {
  await migrate(databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`TRUNCATE "Binding", "ClassMember", "Course", "Account" RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
  const redis = new Redis(redisUrl);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
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
