import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";

export type Db = PrismaClient;
/** A transaction's client (what `db.$transaction(async (tx) => …)` hands over). */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface DbOptions {
  poolSize: number;
  /** Longest wait for a connection, and for any one query: a stalled PostgreSQL must not hold requests. */
  timeoutMs: number;
  /** Called for every SQL statement sent. A test hook (the heartbeat test proves the hot path
   *  sends none); production passes none, so Prisma emits no query events at all. */
  onQuery?: () => void;
}

export function createDb(databaseUrl: string, options: DbOptions): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
  });
  const { onQuery } = options;
  if (!onQuery) return new PrismaClient({ adapter });
  const db = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  db.$on("query", () => onQuery());
  return db;
}
