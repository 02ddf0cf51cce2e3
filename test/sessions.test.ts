import { C, signUp, startTestServer, type TestServer } from "./support/harness";
import { OTHER_APP, sql } from "./support/env";
import { RedisKeys } from "../src/infra/redis/keys";
import { hashToken } from "../src/services/sessions";
import { createLogger } from "../src/logger";
import { subscriberName } from "../src/infra/redis/broadcast";
import { type RunningServer, startServer } from "../src/server";
import { countSocketWrites } from "./support/redis-writes";

/**
 * Token checks of token commands (protocol.md §2.2 with the FIX rules of "Our
 * decisions": random tokens matched exactly, sliding idle expiry refreshed at most once
 * a minute, "User token expired" then "Token expired"). live.roomlist is the probe.
 */

let t: TestServer;

const probe = (token: unknown, common: Record<string, unknown> = C) => t.call("live", "roomlist", { ...common, token, index: 0, size: 1 });
/** Accepted: the list answer, whatever courses exist. */
const OK_LIST = { errorCode: 0, errorInfo: "", data: { total: expect.any(Number), rooms: expect.any(Array) } };
const UNKNOWN = { errorCode: 10009, errorInfo: "Token expired" };
const EXPIRED = { errorCode: 10009, errorInfo: "User token expired" };

const sessionKey = (token: string) => RedisKeys.session(hashToken(token));
const nowS = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true (the SQL refresh is asynchronous). */
async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

async function accountRow(uid: string): Promise<{ tokenHash: string | null; lastRequestAt: Date | null; loginAt: Date | null }> {
  const [row] = await sql<{ tokenHash: string | null; lastRequestAt: Date | null; loginAt: Date | null }>(
    `SELECT "tokenHash", "lastRequestAt", "loginAt" FROM "Account" WHERE uid = $1 AND appid = $2`,
    [uid, C.appid],
  );
  return row!;
}

describe("token checks (default idle expiry)", () => {
  let T: string;
  let S: string;
  beforeAll(async () => {
    t = await startTestServer();
    T = await signUp(t, "teacher1", 1);
    S = await signUp(t, "student1", 0);
  });
  afterAll(() => t.close());

  test("a valid token passes", async () => {
    expect((await probe(S)).body).toEqual(OK_LIST);
    expect((await probe(T)).body).toEqual(OK_LIST);
  });

  test.each([
    ["missing", undefined, { errorCode: 10003, errorInfo: "Lack of token" }],
    ["null", null, { errorCode: 10003, errorInfo: "Lack of token" }],
    ['""', "", { errorCode: 10003, errorInfo: "Lack of token" }],
    ["123", 123, { errorCode: 10003, errorInfo: "Lack of token" }],
    ["false", false, { errorCode: 10003, errorInfo: "Lack of token" }],
    ["[5]", [5], { errorCode: 10003, errorInfo: " Invalid token" }],
    ['["abc"]', ["abc"], UNKNOWN],
    ["unknown", "zzz", UNKNOWN],
    ["unknown, token-shaped", "A".repeat(32), UNKNOWN],
  ])("token %s → %j", async (_name, token, expected) => {
    const answer = await probe(token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(expected);
  });

  test("a list holding the real token is not the token", async () => {
    expect((await probe([S])).body).toEqual(UNKNOWN);
  });

  test("tokens match exactly: lower-cased, upper-cased or with a trailing space → 10009 (FIX)", async () => {
    const variants = [S.toLowerCase(), S.toUpperCase(), `${S} `, ` ${S}`].filter((v) => v !== S);
    expect(variants.length).toBeGreaterThanOrEqual(3);
    for (const variant of variants) expect((await probe(variant)).body).toEqual(UNKNOWN);
    // The real token still works afterwards.
    expect((await probe(S)).body).toEqual(OK_LIST);
  });

  test("the common fields are checked before the token", async () => {
    expect((await probe("zzz", { timeStamp: 1 })).body).toEqual({ errorCode: 10003, errorInfo: "Lack of appid" });
    expect((await probe("zzz", { appid: "x", timeStamp: 1 })).body).toEqual({ errorCode: 10003, errorInfo: "Invalid appid" });
    expect((await probe(undefined, { appid: C.appid })).body).toEqual({ errorCode: 10003, errorInfo: "Lack of timeStamp" });
  });

  test.each(["create", "startcourse", "exitroom", "heartbeat", "reportmemid", "roomidlist", "reportbind", "querybind"])(
    "live.%s checks the token before its own fields",
    async (cmd) => {
      expect((await t.call("live", cmd, { ...C })).body).toEqual({ errorCode: 10003, errorInfo: "Lack of token" });
      expect((await t.call("live", cmd, { ...C, token: [5] })).body).toEqual({ errorCode: 10003, errorInfo: " Invalid token" });
      expect((await t.call("live", cmd, { ...C, token: "zzz" })).body).toEqual(UNKNOWN);
    },
  );

  test("a token of another app's user used with this appid → 10003", async () => {
    const other = await signUp(t, "other1", 0, OTHER_APP);
    expect((await probe(other)).body).toEqual({ errorCode: 10003, errorInfo: "appid is diff from appid of the user." });
    // With its own appid it works.
    expect((await probe(other, { appid: OTHER_APP.sdkAppId, timeStamp: 1 })).body.errorCode).toBe(0);
    // The same holds when the session is read from PostgreSQL.
    await t.server.redis.del(sessionKey(other));
    expect((await probe(other)).body).toEqual({ errorCode: 10003, errorInfo: "appid is diff from appid of the user." });
    // And the mismatch does not end the session.
    expect((await probe(other, { appid: OTHER_APP.sdkAppId, timeStamp: 1 })).body.errorCode).toBe(0);
  });

  test("a token replaced by a new login → 10009 Token expired; the new one works", async () => {
    const first = await signUp(t, "relogger", 0);
    expect((await probe(first)).body).toEqual(OK_LIST);
    const second = await t.call("account", "login", { ...C, id: "relogger", pwd: "cGFzc3dvcmQ=" });
    const token = second.body.data.token as string;
    expect((await probe(first)).body).toEqual(UNKNOWN);
    expect((await probe(token)).body).toEqual(OK_LIST);
    // Also after Redis forgot everything about it.
    await t.server.redis.del(sessionKey(first));
    expect((await probe(first)).body).toEqual(UNKNOWN);
  });

  test("a logged-out token → 10009 Token expired", async () => {
    const token = await signUp(t, "leaver", 0);
    expect((await t.call("account", "logout", { ...C, token })).body.errorCode).toBe(0);
    expect((await probe(token)).body).toEqual(UNKNOWN);
  });

  test("a cached session idle longer than the expiry → User token expired, then Token expired", async () => {
    const token = await signUp(t, "idle-redis", 0);
    await t.server.redis.hset(sessionKey(token), "seen", nowS() - 604801 - 5);
    expect((await probe(token)).body).toEqual(EXPIRED);
    expect((await accountRow("idle-redis")).tokenHash).toBeNull();
    expect(await t.server.redis.exists(sessionKey(token))).toBe(0);
    expect((await probe(token)).body).toEqual(UNKNOWN);
  });

  test("a session read from PostgreSQL idle longer than the expiry → User token expired, then Token expired", async () => {
    const token = await signUp(t, "idle-sql", 0);
    await t.server.redis.del(sessionKey(token));
    await sql(`UPDATE "Account" SET "lastRequestAt" = now() - interval '604806 seconds', "loginAt" = now() - interval '604806 seconds' WHERE uid = 'idle-sql'`);
    expect((await probe(token)).body).toEqual(EXPIRED);
    expect((await accountRow("idle-sql")).tokenHash).toBeNull();
    expect((await probe(token)).body).toEqual(UNKNOWN);
  });

  test("a session idle a little less than the expiry still works", async () => {
    const token = await signUp(t, "almost", 0);
    await t.server.redis.del(sessionKey(token));
    await sql(`UPDATE "Account" SET "lastRequestAt" = now() - interval '604790 seconds', "loginAt" = now() - interval '604790 seconds' WHERE uid = 'almost'`);
    expect((await probe(token)).body).toEqual(OK_LIST);
    expect((await accountRow("almost")).tokenHash).toBe(hashToken(token));
  });

  /**
   * The boundary, to the second: idle exactly the expiry still works, a second more is expired (the
   * original's strictly-greater rule). The server runs in this process: its clock is held still for
   * the request, so the second cannot tick between setting the idle time and the check.
   */
  describe.each([
    ["cached in Redis", "boundary-redis"],
    ["read from PostgreSQL", "boundary-sql"],
  ])("the idle boundary, %s", (_where, uid) => {
    const atIdle = async (token: string, idleS: number, nowMs: number) => {
      const seen = Math.floor(nowMs / 1000) - idleS;
      if (uid === "boundary-redis") await t.server.redis.hset(sessionKey(token), "seen", seen);
      else {
        await t.server.redis.del(sessionKey(token));
        await sql(`UPDATE "Account" SET "lastRequestAt" = $1, "loginAt" = $1 WHERE uid = $2`, [new Date(seen * 1000), uid]);
      }
    };
    const probeAt = async (token: string, nowMs: number) => {
      const clock = jest.spyOn(Date, "now").mockReturnValue(nowMs);
      try {
        return (await probe(token)).body as unknown;
      } finally {
        clock.mockRestore();
      }
    };

    test("idle exactly 604,800 s → accepted; 604,801 s → User token expired", async () => {
      const token = await signUp(t, uid, 0);
      const now = Date.now();
      await atIdle(token, 604800, now);
      expect(await probeAt(token, now)).toEqual(OK_LIST);
      await atIdle(token, 604801, now);
      expect(await probeAt(token, now)).toEqual(EXPIRED);
    });
  });

  test("after a Redis FLUSHDB a valid token still works (PostgreSQL) and is cached again", async () => {
    const token = await signUp(t, "survivor", 1);
    const [account] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'survivor'`);
    await t.server.redis.flushdb();
    expect(await t.server.redis.exists(sessionKey(token))).toBe(0);
    expect((await probe(token)).body).toEqual(OK_LIST);
    const cached = await t.server.redis.hgetall(sessionKey(token));
    expect(cached).toMatchObject({ uin: String(account!.uin), uid: "survivor", role: "1", appid: String(C.appid) });
    const ttl = await t.server.redis.ttl(sessionKey(token));
    expect(ttl).toBeGreaterThan(604800 - 120);
    expect(ttl).toBeLessThanOrEqual(604800);
    // The user is still the right one: a teacher may create a course.
    const created = await t.call("live", "create", { ...C, token, title: "after flush" });
    expect(created.body.errorCode).toBe(0);
    // Unknown tokens stay unknown.
    expect((await probe("zzz")).body).toEqual(UNKNOWN);
  });

  test("with the default 7-day expiry a heartbeat slides the session every minute but records its use for SQL every 10 minutes", async () => {
    const token = await signUp(t, "ten-minutes", 1);
    const [account] = await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid = 'ten-minutes'`);
    const roomnum = (await t.call("live", "create", { ...C, token, title: "ten" })).body.data.roomnum as number;
    const beatAt = async (offsetS: number) => {
      const clock = jest.spyOn(Date, "now").mockReturnValue(Date.now() + offsetS * 1000);
      try {
        expect((await t.call("live", "heartbeat", { ...C, token, roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });
      } finally {
        clock.mockRestore();
      }
    };
    const recorded = () => t.server.redis.sismember(RedisKeys.sessionsUsedByHeartbeat, String(account!.uin));
    await beatAt(0); // now trusted in-process
    await beatAt(61);
    expect(await eventually(async () => Number(await t.server.redis.hget(sessionKey(token), "seen")) >= nowS() + 55)).toBe(true);
    await sleep(200);
    expect(await recorded()).toBe(0);
    await beatAt(602);
    expect(await eventually(async () => (await recorded()) === 1)).toBe(true);
  });

  test("the refreshes a turn asks for leave for Redis in one write, their uses for the reaper in one SADD (a burst after a start is not a write each)", async () => {
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => signUp(t, `burst${i}`, 0)));
    const uins = (await sql<{ uin: number }>(`SELECT uin FROM "Account" WHERE uid LIKE 'burst%' ORDER BY uid`)).map((row) => String(row.uin));
    const { sessions } = t.server.services;
    const heartbeat = { trustRecentCheck: true, deferUseToReaper: true };
    for (const token of tokens) await sessions.authenticate(token, C.appid, heartbeat); // checked: trusted from now on
    const later = nowS() + 700; // past the minute's slide and the ten minutes' record
    const clock = jest.spyOn(Date, "now").mockReturnValue(later * 1000);
    try {
      const writes = countSocketWrites(t.server.redis);
      // One turn of the event loop, each check in a callback of its own, as a turn's requests are.
      await new Promise<void>((resolve) => tokens.forEach((token, i) => setImmediate(() => {
        void sessions.authenticate(token, C.appid, heartbeat); // trusted: answered at once, no promise
        if (i === tokens.length - 1) setImmediate(() => process.nextTick(resolve)); // after the turn's flush has been written
      })));
      expect(writes()).toBe(1);
      expect(await eventually(async () => (await Promise.all(tokens.map((token) => t.server.redis.hget(sessionKey(token), "seen")))).every((seen) => Number(seen) === later))).toBe(true);
      expect(await t.server.redis.smismember(RedisKeys.sessionsUsedByHeartbeat, ...uins)).toEqual(uins.map(() => 1));
    } finally {
      clock.mockRestore();
    }
  });

  test("a check whose own session ends while it is read is answered once but not trusted; another session's end costs it no trust", async () => {
    const [ending, other] = await Promise.all([signUp(t, "ends-mid-check", 0), signUp(t, "unrelated-end", 0)]);
    const { sessions } = t.server.services;
    const heartbeat = { trustRecentCheck: true, deferUseToReaper: true };
    /** Whether the token is answered from memory (a check otherwise, awaited: it trusts the token from then on). */
    const trusted = async (token: string) => {
      const answer = sessions.authenticate(token, C.appid, heartbeat);
      if (!(answer instanceof Promise)) return true;
      await answer;
      return false;
    };
    // Each check is in flight (reading Redis) when word of an end arrives.
    const endingCheck = sessions.authenticate(ending, C.appid, heartbeat);
    sessions.sessionEnded(hashToken(ending));
    expect(await endingCheck).toMatchObject({ uid: "ends-mid-check" });
    expect(await trusted(ending)).toBe(false);
    const otherCheck = sessions.authenticate(other, C.appid, heartbeat);
    sessions.sessionEnded(hashToken("someone-else's-token"));
    sessions.sessionEnded(hashToken(ending));
    expect(await otherCheck).toMatchObject({ uid: "unrelated-end" });
    expect(await trusted(other)).toBe(true);
    // Once no check of it is in flight, the ended session's next check is trusted again (nothing of it is kept).
    await sessions.authenticate(ending, C.appid, heartbeat);
    expect(await trusted(ending)).toBe(true);
  });
});

describe("sliding idle expiry (TOKEN_IDLE_EXPIRE_S=100)", () => {
  const IDLE = 100;
  beforeAll(async () => {
    t = await startTestServer({ TOKEN_IDLE_EXPIRE_S: String(IDLE) });
  });
  afterAll(() => t.close());

  test("login caches the session with the configured idle expiry", async () => {
    const token = await signUp(t, "fresh", 0);
    const ttl = await t.server.redis.ttl(sessionKey(token));
    expect(ttl).toBeGreaterThan(IDLE - 10);
    expect(ttl).toBeLessThanOrEqual(IDLE);
  });

  test("a request on a session last seen 70 s ago moves 'seen' forward, resets the TTL and updates lastRequestAt", async () => {
    const token = await signUp(t, "slider", 0);
    const key = sessionKey(token);
    const old = nowS() - 70;
    await t.server.redis.hset(key, "seen", old);
    await t.server.redis.expire(key, 30);
    await sql(`UPDATE "Account" SET "lastRequestAt" = to_timestamp($1), "loginAt" = to_timestamp($1) WHERE uid = 'slider'`, [old]);

    expect((await probe(token)).body).toEqual(OK_LIST);

    expect(await eventually(async () => Number(await t.server.redis.hget(key, "seen")) >= nowS() - 5)).toBe(true);
    expect(await eventually(async () => (await t.server.redis.ttl(key)) > 30)).toBe(true);
    const ttl = await t.server.redis.ttl(key);
    expect(ttl).toBeGreaterThan(IDLE - 10);
    expect(ttl).toBeLessThanOrEqual(IDLE);
    expect(
      await eventually(async () => {
        const row = await accountRow("slider");
        return row.lastRequestAt !== null && row.lastRequestAt.getTime() >= (nowS() - 5) * 1000;
      }),
    ).toBe(true);
  });

  test("the expiry is measured from the last request, not from login (B2 fix), also through PostgreSQL", async () => {
    const token = await signUp(t, "long-session", 0);
    const key = sessionKey(token);
    // Logged in 200 s ago (twice the idle expiry), last request 70 s ago.
    await sql(
      `UPDATE "Account" SET "loginAt" = now() - interval '200 seconds', "lastRequestAt" = now() - interval '70 seconds' WHERE uid = 'long-session'`,
    );
    await t.server.redis.hset(key, "seen", nowS() - 70);
    expect((await probe(token)).body).toEqual(OK_LIST);
    expect(
      await eventually(async () => {
        const row = await accountRow("long-session");
        return row.lastRequestAt !== null && row.lastRequestAt.getTime() >= (nowS() - 5) * 1000;
      }),
    ).toBe(true);
    // Redis forgets the session: PostgreSQL's lastRequestAt keeps it alive.
    await t.server.redis.del(key);
    expect((await probe(token)).body).toEqual(OK_LIST);
    expect((await accountRow("long-session")).tokenHash).toBe(hashToken(token));
  });

  test("live.heartbeat slides the session in Redis; SQL lastRequestAt follows in the reaper's batch, not on the hot path", async () => {
    const token = await signUp(t, "beater", 1);
    const created = await t.call("live", "create", { ...C, token, title: "hb" });
    const roomnum = created.body.data.roomnum as number;
    const key = sessionKey(token);
    const old = nowS() - 70;
    await t.server.redis.hset(key, "seen", old);
    await t.server.redis.expire(key, 30);
    await sql(`UPDATE "Account" SET "lastRequestAt" = to_timestamp($1) WHERE uid = 'beater'`, [old]);

    expect((await t.call("live", "heartbeat", { ...C, token, roomnum })).body).toEqual({ errorCode: 0, errorInfo: "" });

    expect(await eventually(async () => Number(await t.server.redis.hget(key, "seen")) >= nowS() - 5)).toBe(true);
    expect(await eventually(async () => (await t.server.redis.ttl(key)) > 30)).toBe(true);
    await sleep(500); // give a (wrong) asynchronous SQL write time to land
    expect((await accountRow("beater")).lastRequestAt!.getTime()).toBe(old * 1000);
    // The reaper records heartbeat-only use in SQL, in batches.
    await t.server.reaper.sweep();
    expect((await accountRow("beater")).lastRequestAt!.getTime()).toBeGreaterThanOrEqual((nowS() - 5) * 1000);
  });

  test("the expiry is refreshed at most once a minute", async () => {
    const token = await signUp(t, "recent", 0);
    const key = sessionKey(token);
    const recent = nowS() - 10;
    await t.server.redis.hset(key, "seen", recent);
    await t.server.redis.expire(key, 50);
    expect((await probe(token)).body).toEqual(OK_LIST);
    await sleep(300);
    expect(Number(await t.server.redis.hget(key, "seen"))).toBe(recent);
    expect(await t.server.redis.ttl(key)).toBeLessThanOrEqual(50);
  });
});

describe("idle expiry (TOKEN_IDLE_EXPIRE_S=2)", () => {
  beforeAll(async () => {
    t = await startTestServer({ TOKEN_IDLE_EXPIRE_S: "2" });
  });
  afterAll(() => t.close());

  test("after ~3.2 s without requests: User token expired (token cleared), then Token expired", async () => {
    const token = await signUp(t, "sleeper", 0);
    expect((await accountRow("sleeper")).tokenHash).toBe(hashToken(token));
    await sleep(3200);
    expect((await probe(token)).body).toEqual(EXPIRED);
    expect((await accountRow("sleeper")).tokenHash).toBeNull();
    expect(await t.server.redis.exists(sessionKey(token))).toBe(0);
    expect((await probe(token)).body).toEqual(UNKNOWN);
    // Logout of the ended session is a repeat logout; a new login works.
    expect((await t.call("account", "logout", { ...C, token })).body).toEqual({ errorCode: 10008, errorInfo: "Repeat logout" });
    const login = await t.call("account", "login", { ...C, id: "sleeper", pwd: "cGFzc3dvcmQ=" });
    expect((await probe(login.body.data.token as string)).body).toEqual(OK_LIST);
  });
});

describe("a token trusted on one instance, ended on another", () => {
  let a: TestServer;
  let b: RunningServer;
  const beatOn = (url: string, token: string, roomnum: number) =>
    fetch(`${url}/index.php?svc=live&cmd=heartbeat`, { method: "POST", body: JSON.stringify({ ...C, token, roomnum }) }).then(async (r) => (await r.json()) as { errorCode: number });
  let teacher: string;
  let roomnum: number;
  /**
   * The requirement is 2 s (test/two-instances.test.ts holds two processes to it, request by request); here, in one
   * busy process, a margin: a trust that outlived its end would last until the session's slide, a minute.
   */
  const REFUSED_WITHIN_MS = 5000;
  const bothHear = () => Promise.resolve(a.server.services.sessions.hearsEndedSessions() && b.services.sessions.hearsEndedSessions());
  beforeAll(async () => {
    a = await startTestServer();
    t = a;
    b = await startServer(a.server.config, { log: createLogger("silent") });
    teacher = await signUp(a, "two-instance-teacher", 1);
    roomnum = (await a.call("live", "create", { ...C, token: teacher, title: "x" })).body.data.roomnum as number;
    await a.call("live", "startcourse", { ...C, token: teacher, roomnum });
    // Both instances hear of ended sessions once their channel is subscribed.
    expect(await eventually(async () => bothHear(), 10000)).toBe(true);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  /** A fresh session of the teacher, trusted by instance b (its beats answered from memory). */
  async function trustedOnB(): Promise<string> {
    const token = (await a.call("account", "login", { ...C, id: "two-instance-teacher", pwd: "cGFzc3dvcmQ=" })).body.data.token as string;
    expect((await beatOn(b.url, token, roomnum)).errorCode).toBe(0);
    return token;
  }

  test("a logout on one reaches the other's heartbeats at once, though it trusted the token", async () => {
    const token = await trustedOnB();
    expect((await a.call("account", "logout", { ...C, token })).body.errorCode).toBe(0);
    const loggedOutAt = Date.now();
    expect(await eventually(async () => (await beatOn(b.url, token, roomnum)).errorCode === 10009, REFUSED_WITHIN_MS)).toBe(true);
    expect(Date.now() - loggedOutAt).toBeLessThan(REFUSED_WITHIN_MS);
  });

  test("a new login elsewhere ends the old token on every instance", async () => {
    const token = await trustedOnB();
    await trustedOnB(); // the next login replaces it
    expect(await eventually(async () => (await beatOn(b.url, token, roomnum)).errorCode === 10009, REFUSED_WITHIN_MS)).toBe(true);
  });

  test("a session gone without a word (missed) is trusted on only until it slides its expiry (a minute), then refused", async () => {
    const token = await trustedOnB();
    // Ended behind the instances' backs: nothing is published.
    await sql(`UPDATE "Account" SET "tokenHash" = NULL WHERE uid = 'two-instance-teacher'`);
    await a.server.redis.del(sessionKey(token));
    expect((await beatOn(b.url, token, roomnum)).errorCode).toBe(0); // trusted: nothing said it ended
    const later = Date.now() + 61000;
    const clock = jest.spyOn(Date, "now").mockReturnValue(later);
    try {
      expect((await beatOn(b.url, token, roomnum)).errorCode).toBe(0); // this beat slides the expiry, and finds the session gone
    } finally {
      clock.mockRestore();
    }
    expect(await eventually(async () => (await beatOn(b.url, token, roomnum)).errorCode === 10009, REFUSED_WITHIN_MS)).toBe(true);
  });

  test("while an instance cannot hear of ended sessions (its channel's connection is cut), it trusts nothing it trusted before", async () => {
    const token = await trustedOnB();
    // Only this process's subscribers (a and b): Redis' pub/sub is server-wide, other suites may share it.
    const own = ((await a.server.redis.call("CLIENT", "LIST", "TYPE", "pubsub")) as string)
      .split("\n")
      .filter((line) => line.includes(` name=${subscriberName(RedisKeys.sessionsEnded)} `))
      .map((line) => /\bid=(\d+)/.exec(line)![1]!);
    expect(own).toHaveLength(2);
    for (const id of own) await a.server.redis.call("CLIENT", "KILL", "ID", id);
    await sql(`UPDATE "Account" SET "tokenHash" = NULL WHERE uid = 'two-instance-teacher'`);
    await a.server.redis.del(sessionKey(token));
    expect(await eventually(async () => (await beatOn(b.url, token, roomnum)).errorCode === 10009, REFUSED_WITHIN_MS)).toBe(true);
    // The channel comes back by itself.
    expect(await eventually(async () => bothHear(), 10000)).toBe(true);
  });
});

describe("tokens that are not ours reach PostgreSQL at most once (a negative cache), and what cannot be one of ours reaches nothing", () => {
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  test("a well-formed unknown token: one SQL lookup, then remembered in Redis as unknown; 10009 every time", async () => {
    const garbage = "A".repeat(32);
    const before = t.sqlStatements.count;
    for (let i = 0; i < 5; i++) expect((await probe(garbage)).body).toEqual(UNKNOWN);
    expect(t.sqlStatements.count - before).toBe(1);
    expect(await t.server.redis.hget(sessionKey(garbage), "unknown")).toBe("1");
    expect(await t.server.redis.ttl(sessionKey(garbage))).toBeGreaterThan(0);
  });

  test("a string that is no token of ours asks neither Redis nor PostgreSQL", async () => {
    const before = t.sqlStatements.count;
    const tokens = ["not-a-token", "A".repeat(33), "A".repeat(31) + "=", "Ａ".repeat(32)];
    for (const token of tokens) expect((await probe(token)).body).toEqual(UNKNOWN);
    expect(t.sqlStatements.count).toBe(before);
    for (const token of tokens) expect(await t.server.redis.exists(sessionKey(token))).toBe(0);
  });

  test("a real token still works, and a logged-out one is unknown from then on", async () => {
    const token = await signUp(t, "negative-cache-user", 0);
    expect((await probe(token)).body).toEqual(OK_LIST);
    await t.call("account", "logout", { ...C, token });
    expect((await probe(token)).body).toEqual(UNKNOWN);
    expect((await probe(token)).body).toEqual(UNKNOWN);
  });
});
