import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";

export type Db = PrismaClient;

/** Counts SQL statements sent: the heartbeat test proves the hot path sends none. */
export interface QueryCounter {
  readonly count: number;
}

export function createDb(databaseUrl: string, poolSize = 10): { db: Db; queries: QueryCounter } {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  const db = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  const counter = { count: 0 };
  db.$on("query", () => {
    counter.count += 1;
  });
  return { db, queries: counter };
}
