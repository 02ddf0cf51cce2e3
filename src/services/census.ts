import type { Db } from "../infra/db/prisma";
import type { RedisClient } from "../infra/redis/client";
import { RedisKeys } from "../infra/redis/keys";
import { type Census, REPLAY_INDEX_STATUSES } from "../metrics/metrics";

/**
 * What runs now, for the metrics' gauges (read at a scrape, never per request): living rooms and
 * their members from the reaper's schedules (one entry per living room, one per present member but
 * the host), ended classes by replay index status from PostgreSQL.
 */
export class CensusService {
  constructor(private readonly deps: { db: Db; redis: RedisClient }) {}

  async take(): Promise<Census> {
    const { redis, db } = this.deps;
    const [classes, classMembers, lives, liveMembers, statuses] = await Promise.all([
      redis.zcard(RedisKeys.livingCourses("class")),
      redis.zcard(RedisKeys.presentMembers("class")),
      redis.zcard(RedisKeys.livingCourses("live")),
      redis.zcard(RedisKeys.presentMembers("live")),
      db.course.groupBy({ by: ["replayIndexStatus"], where: { replayIndexStatus: { not: null } }, _count: { _all: true } }),
    ]);
    const replayIndex = Object.fromEntries(REPLAY_INDEX_STATUSES.map((s) => [s, 0])) as Census["replayIndex"];
    for (const row of statuses) if (row.replayIndexStatus !== null && row.replayIndexStatus in replayIndex) replayIndex[row.replayIndexStatus as keyof Census["replayIndex"]] = row._count._all;
    return { rooms: { class: { living: classes, membersPresent: classMembers }, live: { living: lives, membersPresent: liveMembers } }, replayIndex };
  }
}
