import { randomUUID } from "node:crypto";
import type { Db } from "../infra/db/prisma";
import { forEachInBatches } from "../lib/batches";
import { memberRef, RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";
import type { Logger } from "../logger";
import { CourseState, LeaveReason, RoomMode } from "./domain";
import { presenceRoomOf } from "./presence";

/**
 * Restores presence from PostgreSQL after Redis lost it (restart, failover, flush).
 * Everyone the database says is in a living class is present again as of now, so no
 * class is ended and nobody dropped before a full timeout has passed (a missing
 * presence record is not silence). Adds never overwrite newer beats (ZADD NX).
 */

/** Longer than a rebuild of the largest deployment takes; if an instance dies mid-rebuild, another retries after it. */
const REBUILD_LOCK_MS = 60000;
/** Redis writes in flight at once while rebuilding (issued together, so written together; bounded so memory stays flat). */
const CHUNK = 1000;

export class PresenceRebuild {
  constructor(private readonly deps: { db: Db; redis: RedisClient; log: Logger }) {}

  /** Rebuilds unless another instance is doing it; returns whether this one did. */
  async rebuild(nowMs = Date.now()): Promise<boolean> {
    const { db, redis, log } = this.deps;
    const token = randomUUID();
    if ((await redis.set(RedisKeys.presenceRebuildLock, token, "PX", REBUILD_LOCK_MS, "NX")) !== "OK") return false;
    try {
      const living = await db.course.findMany({ where: { state: CourseState.living }, select: { roomnum: true, hostUin: true, mode: true } });
      const roomOf = new Map(living.map((c) => [c.roomnum, presenceRoomOf(c)]));
      const open = await db.classMember.findMany({
        where: { leftAt: null, course: { state: CourseState.living } },
        select: { roomnum: true, uin: true },
      });
      // Members whose last stay ended for silence: their next beat brings them back.
      const lastStays = await db.classMember.findMany({
        where: { course: { state: CourseState.living } },
        orderBy: [{ roomnum: "asc" }, { uin: "asc" }, { id: "desc" }],
        distinct: ["roomnum", "uin"],
        select: { roomnum: true, uin: true, leaveReason: true },
      });
      const dropped = lastStays.filter((s) => s.leaveReason === LeaveReason.timeout);
      await forEachInBatches([...roomOf.values()], CHUNK, (c) =>
        Promise.all([redis.set(RedisKeys.courseAlive(c.roomnum), nowMs, "NX"), redis.zadd(RedisKeys.livingCourses(c.mode), "NX", nowMs, String(c.roomnum))]),
      );
      await forEachInBatches(open, CHUNK, async (m) => {
        const room = roomOf.get(m.roomnum);
        await redis.zadd(RedisKeys.coursePresence(m.roomnum), "NX", nowMs, String(m.uin));
        if (room && room.hostUin !== m.uin) await redis.zadd(RedisKeys.presentMembers(room.mode), "NX", nowMs, memberRef(m.roomnum, m.uin));
        // The live room a user is in (one at a time): where its beats that name no room go.
        if (room?.mode === RoomMode.live) await redis.set(RedisKeys.liveRoomOf(m.uin), m.roomnum, "NX");
      });
      await forEachInBatches(dropped, CHUNK, (d) => redis.sadd(RedisKeys.courseDropped(d.roomnum), String(d.uin)));
      await redis.set(RedisKeys.presenceEpoch, String(nowMs));
      log.info({ classes: living.length, members: open.length, dropped: dropped.length }, "presence rebuilt from PostgreSQL");
      return true;
    } finally {
      await redis.releaseLock(RedisKeys.presenceRebuildLock, token).catch(() => undefined);
    }
  }
}
