/**
 * Every Redis key name, in one place. Keys that a script or transaction touches
 * together share a hash tag ({course:N}) so that they live in one Redis Cluster slot;
 * the global sets are single keys.
 */

const courseTag = (roomnum: number) => `{course:${roomnum}}`;
/** The classroom's schedules keep their first names; other kinds of room get a suffix. */
const scheduleSuffix = (mode: string) => (mode === "class" ? "" : `:${mode}`);

export const RedisKeys = {
  /** HASH of a session token (by SHA-256 of the token): uin, uid, role, appid, seen. TTL = idle expiry. */
  session: (tokenHash: string) => `session:${tokenHash}`,
  /** Pub/sub channel: the hash of every session that ends (logout, a new login, expiry, kick), so that no instance trusts it on. */
  sessionsEnded: "sessions:ended",
  /** STRING (JSON) of a console operator's session, by SHA-256 of its cookie: operator id, login id, apps, CSRF token. TTL = idle expiry. */
  consoleSession: (sessionHash: string) => `console:session:${sessionHash}`,
  /** SET of uins whose token a heartbeat refreshed: their SQL lastRequestAt is written in batches. */
  sessionsUsedByHeartbeat: "sessions:heartbeat-used",
  /** ZSET uin → last beat (ms) of everyone present in a class. */
  coursePresence: (roomnum: number) => `${courseTag(roomnum)}:presence`,
  /** SET of uins dropped for silence: their next beat brings them back (B10). */
  courseDropped: (roomnum: number) => `${courseTag(roomnum)}:dropped`,
  /** STRING: the teacher's last beat (ms) while the class is living (absent otherwise). */
  courseAlive: (roomnum: number) => `${courseTag(roomnum)}:alive`,
  /** STRING lock token held while a course changes state (start, end). */
  courseLock: (roomnum: number) => `${courseTag(roomnum)}:lock`,
  /** STRING lock token held while the course's server-side recording or relay push changes (videorelay). */
  courseRelayLock: (roomnum: number) => `${courseTag(roomnum)}:relay-lock`,
  /** STRING holder token of one piece of a course's work done once across requests and instances
   *  ("recording:<video id>": posting a recording file's 1004 marker). */
  courseClaim: (roomnum: number, work: string) => `${courseTag(roomnum)}:claim:${work}`,
  /** ZSET of members entering the class right now (holder token → deadline ms): a start or end waits for them. */
  courseEntering: (roomnum: number) => `${courseTag(roomnum)}:entering`,
  /** STRING (JSON {random, data}) of a class marker posted for a change not yet recorded: a retry of the
   *  same change posts the same message, which IM keeps once. `change` is "start", "end", "enter:<uin>" or "recording:<video id>". */
  pendingMarker: (roomnum: number, change: string) => `${courseTag(roomnum)}:marker:${change}`,
  /** ZSET roomnum → when the reaper next judges the class (its teacher's last beat it knew), one entry per living class.
   *  One per kind of room ("class", "live"), each judged with its own timeout. */
  livingCourses: (mode: string) => `presence:living${scheduleSuffix(mode)}`,
  /** ZSET "roomnum:uin" → when the reaper next judges the member (its last beat it knew), for every present member but the teacher. */
  presentMembers: (mode: string) => `presence:members${scheduleSuffix(mode)}`,
  /** HASH uin → role (0 viewer, 1 host, 2 co-host on mic) of a live room's members, as their last report or beat said. */
  courseRoles: (roomnum: number) => `${courseTag(roomnum)}:roles`,
  /** HASH uin → mic status ("on", "off") of a live room's members. */
  courseMic: (roomnum: number) => `${courseTag(roomnum)}:mic`,
  /** STRING the live room a user last joined (or created): a viewer's beat names no room (Android sends -1), so it beats there. */
  liveRoomOf: (uin: number) => `live:room-of:${uin}`,
  /** STRING a live room's thumbs-up count, as its host's last beat said. */
  courseThumbup: (roomnum: number) => `${courseTag(roomnum)}:thumbup`,
  /** HASH uin → "window start ms:beats" of a class's members (the heartbeat's own limit, counted in the beat script). */
  courseBeatRate: (roomnum: number) => `${courseTag(roomnum)}:beat-rate`,
  /** Prefix of a rate limit's counters (rate-limiter-flexible appends ":<key>": one STRING per client address, user…). */
  rateLimit: (name: string) => `rate:${name}`,
  /** Set once presence has been rebuilt from PostgreSQL; its absence means Redis lost state. */
  presenceEpoch: "presence:epoch",
  /** STRING lock token of the instance rebuilding presence. */
  presenceRebuildLock: "presence:rebuild-lock",
} as const;

/** Member of RedisKeys.presentMembers. */
export const memberRef = (roomnum: number, uin: number) => `${roomnum}:${uin}`;

export function parseMemberRef(ref: string): { roomnum: number; uin: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(ref);
  return match ? { roomnum: Number(match[1]), uin: Number(match[2]) } : undefined;
}

/** A class's keys as LUA.beatClasses takes them, in its order. */
export const classBeatKeys = (roomnum: number): string[] => [
  RedisKeys.coursePresence(roomnum),
  RedisKeys.courseDropped(roomnum),
  RedisKeys.courseAlive(roomnum),
  RedisKeys.courseRoles(roomnum),
  RedisKeys.courseThumbup(roomnum),
  RedisKeys.courseBeatRate(roomnum),
];
