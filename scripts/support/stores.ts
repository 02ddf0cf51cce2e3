import { Client } from "pg";
import { Cluster, Redis } from "ioredis";
import { migrate } from "../../src/infra/db/migrate";

/** A test's Redis Cluster: its seed nodes (REDIS_CLUSTER_NODES). */
export interface TestRedisCluster {
  clusterNodes: string;
}

/** Empties a test or benchmark database and Redis db, or every master of a test's Redis Cluster (never point this at production). */
export async function resetStores(databaseUrl: string, redis: string | TestRedisCluster): Promise<void> {
  if (!/_(test|bench)/.test(databaseUrl)) throw new Error(`refusing to reset ${databaseUrl}: not a test or bench database`);
  await migrate(databaseUrl);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`TRUNCATE "VideoRecord", "Recording", "LivePush", "LiveRoom", "Binding", "ClassMember", "Course", "Account", "Operator", "WebhookDelivery", "WebhookEvent" RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
  await (typeof redis === "string" ? flushDb(redis) : flushCluster(redis));
}

async function flushDb(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

/** FLUSHDB reaches one node: a cluster is emptied master by master (replicas follow their masters). */
async function flushCluster({ clusterNodes }: TestRedisCluster): Promise<void> {
  const cluster = new Cluster(clusterNodes.split(","), { lazyConnect: true });
  try {
    await cluster.connect();
    await Promise.all(cluster.nodes("master").map((node) => node.flushdb()));
  } finally {
    cluster.disconnect();
  }
}
