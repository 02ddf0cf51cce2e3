import { Client } from "pg";
import { Redis } from "ioredis";
import { migrate } from "../../src/infra/db/migrate";

/** Empties a test or benchmark database and Redis db (never point this at production). */
export async function resetStores(databaseUrl: string, redisUrl: string): Promise<void> {
  if (!/_(test|bench)/.test(databaseUrl)) throw new Error(`refusing to reset ${databaseUrl}: not a test or bench database`);
  await migrate(databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`TRUNCATE "VideoRecord", "Recording", "LivePush", "LiveRoom", "Binding", "ClassMember", "Course", "Account" RESTART IDENTITY CASCADE`);
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
