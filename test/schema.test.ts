import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { defaultMigrationsDir, migrate } from "../src/infra/db/migrate";
import { createDb } from "../src/infra/db/prisma";
import { testDatabaseUrl } from "./support/env";

/**
 * The migration runner (src/infra/db/migrate.ts) against a database of its own, and the
 * agreement of prisma/migrations with prisma/schema.prisma (Prisma's bookkeeping and naming).
 */

const URL_UNDER_TEST = testDatabaseUrl("_schema");
const DB_NAME = new URL(URL_UNDER_TEST).pathname.slice(1);
const ADMIN_URL = (() => {
  const admin = new URL(URL_UNDER_TEST);
  admin.pathname = "/postgres";
  return admin.toString();
})();

const ROOT = join(__dirname, "..");
const MIGRATIONS_DIR = join(ROOT, "prisma", "migrations");
const SCHEMA = readFileSync(join(ROOT, "prisma", "schema.prisma"), "utf8");

/** The migrations on disk, independently of the runner: name and hex SHA-256 of migration.sql. */
const MIGRATIONS = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()
  .map((name) => ({ name, checksum: createHash("sha256").update(readFileSync(join(MIGRATIONS_DIR, name, "migration.sql"))).digest("hex") }));

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function dropDatabase(): Promise<void> {
  await withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`));
}

async function databaseExists(): Promise<boolean> {
  return withClient(ADMIN_URL, async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB_NAME])).rowCount === 1);
}

async function query<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return withClient(URL_UNDER_TEST, async (c) => (await c.query<T>(text, params)).rows);
}

interface MigrationRow extends Record<string, unknown> {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  started_at: Date;
  rolled_back_at: Date | null;
  applied_steps_count: number;
  logs: string | null;
}

const migrationRows = () => query<MigrationRow>(`SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name`);

afterAll(async () => {
  await dropDatabase();
});

test("the project has migrations and the runner finds them", () => {
  expect(MIGRATIONS.length).toBeGreaterThan(0);
  expect(defaultMigrationsDir()).toBe(MIGRATIONS_DIR);
  expect(readFileSync(join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8")).toMatch(/provider\s*=\s*"postgresql"/);
});

describe("migrate()", () => {
  beforeAll(async () => {
    await dropDatabase();
  });

  test("creates the database and applies every migration, recorded as Prisma does", async () => {
    expect(await databaseExists()).toBe(false);
    const applied = await migrate(URL_UNDER_TEST);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await databaseExists()).toBe(true);

    const rows = await migrationRows();
    expect(rows.map((r) => r.migration_name).sort()).toEqual(MIGRATIONS.map((m) => m.name));
    for (const migration of MIGRATIONS) {
      const row = rows.find((r) => r.migration_name === migration.name)!;
      expect(row.checksum).toBe(migration.checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.applied_steps_count).toBe(1);
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.started_at.getTime()).toBeLessThanOrEqual(row.finished_at!.getTime());
    }
    const tables = await query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((r) => r.table_name)).toEqual(["Account", "Binding", "ClassMember", "Course", "LivePush", "LiveRoom", "Operator", "Recording", "VideoRecord", "WebhookDelivery", "WebhookEvent", "_prisma_migrations"]);
  });

  test("the bookkeeping table has Prisma's exact columns", async () => {
    const columns = await query<{ column_name: string; data_type: string; is_nullable: string; character_maximum_length: number | null }>(
      `SELECT column_name, data_type, is_nullable, character_maximum_length FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = '_prisma_migrations' ORDER BY column_name`,
    );
    expect(columns).toEqual([
      { column_name: "applied_steps_count", data_type: "integer", is_nullable: "NO", character_maximum_length: null },
      { column_name: "checksum", data_type: "character varying", is_nullable: "NO", character_maximum_length: 64 },
      { column_name: "finished_at", data_type: "timestamp with time zone", is_nullable: "YES", character_maximum_length: null },
      { column_name: "id", data_type: "character varying", is_nullable: "NO", character_maximum_length: 36 },
      { column_name: "logs", data_type: "text", is_nullable: "YES", character_maximum_length: null },
      { column_name: "migration_name", data_type: "character varying", is_nullable: "NO", character_maximum_length: 255 },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", is_nullable: "YES", character_maximum_length: null },
      { column_name: "started_at", data_type: "timestamp with time zone", is_nullable: "NO", character_maximum_length: null },
    ]);
  });

  test("a second run applies nothing and records nothing", async () => {
    const before = await migrationRows();
    expect(await migrate(URL_UNDER_TEST)).toEqual([]);
    const after = await migrationRows();
    expect(after).toEqual(before);
  });

  test("two concurrent runs on a fresh database both succeed and record each migration once", async () => {
    await dropDatabase();
    // allSettled: a failing run must not leave the other one running into the next test.
    const results = await Promise.allSettled([migrate(URL_UNDER_TEST), migrate(URL_UNDER_TEST)]);
    const reasons = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
    expect(reasons).toEqual([]);
    const applied = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name));
    const rows = await migrationRows();
    expect(rows.map((r) => r.migration_name).sort()).toEqual(MIGRATIONS.map((m) => m.name));
    expect(rows.every((r) => r.applied_steps_count === 1 && r.finished_at !== null)).toBe(true);
  });

  test("two concurrent runs on an existing empty database: the advisory lock serializes them", async () => {
    await dropDatabase();
    await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE "${DB_NAME}"`));
    const results = await Promise.allSettled([migrate(URL_UNDER_TEST), migrate(URL_UNDER_TEST), migrate(URL_UNDER_TEST)]);
    expect(results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []))).toEqual([]);
    const applied = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
    expect(applied.sort()).toEqual(MIGRATIONS.map((m) => m.name));
    expect((await migrationRows()).map((r) => r.migration_name).sort()).toEqual(MIGRATIONS.map((m) => m.name));
  });

  test("a migration whose recorded checksum differs makes migrate() refuse, naming it", async () => {
    const target = MIGRATIONS[MIGRATIONS.length - 1]!;
    await migrate(URL_UNDER_TEST);
    await query(`UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2`, ["0".repeat(64), target.name]);
    try {
      await expect(migrate(URL_UNDER_TEST)).rejects.toThrow(target.name);
      expect((await migrationRows()).filter((r) => r.migration_name === target.name)).toHaveLength(1);
    } finally {
      await query(`UPDATE "_prisma_migrations" SET checksum = $1 WHERE migration_name = $2`, [target.checksum, target.name]);
    }
    expect(await migrate(URL_UNDER_TEST)).toEqual([]);
  });

  describe("with a migrations folder of the test's own", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "sxb-migrations-"));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test("a new migration is applied alone, after the others, and recorded", async () => {
      const name = "29991231000000_probe";
      mkdirSync(join(dir, name));
      const sqlText = `CREATE TABLE "Probe" ("id" INTEGER NOT NULL);\nINSERT INTO "Probe" VALUES (1);\n`;
      writeFileSync(join(dir, name, "migration.sql"), sqlText);
      try {
        expect(await migrate(URL_UNDER_TEST, dir)).toEqual([name]);
        expect(await query(`SELECT id FROM "Probe"`)).toEqual([{ id: 1 }]);
        const [row] = (await migrationRows()).filter((r) => r.migration_name === name);
        expect(row!.checksum).toBe(createHash("sha256").update(sqlText).digest("hex"));
        expect(await migrate(URL_UNDER_TEST, dir)).toEqual([]);
      } finally {
        await query(`DROP TABLE IF EXISTS "Probe"`);
        await query(`DELETE FROM "_prisma_migrations" WHERE migration_name = $1`, [name]);
      }
    });

    test("a failing migration rejects and leaves no trace", async () => {
      const name = "29991231000001_broken";
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, "migration.sql"), `CREATE TABLE "Half" ("id" INTEGER);\nTHIS IS NOT SQL;\n`);
      await expect(migrate(URL_UNDER_TEST, dir)).rejects.toThrow();
      expect((await migrationRows()).filter((r) => r.migration_name === name)).toHaveLength(0);
      expect(await query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`)).toHaveLength(0);
    });
  });
});

describe("schema and migrations agree", () => {
  beforeAll(async () => {
    await dropDatabase();
    await migrate(URL_UNDER_TEST);
  });

  test("the first Account uin and the first Course roomnum are 10001", async () => {
    const db = createDb(URL_UNDER_TEST, { poolSize: 2, timeoutMs: 5000 });
    try {
      const account = await db.account.create({
        data: { appid: 1400000001, uid: "seq-teacher", uidKey: "seq-teacher", role: 1, passwordHash: "scrypt$x" },
      });
      expect(account.uin).toBe(10001);
      const course = await db.course.create({ data: { appid: 1400000001, hostUin: account.uin, title: "first" } });
      expect(course.roomnum).toBe(10001);
      const second = await db.course.create({ data: { appid: 1400000001, hostUin: account.uin, title: "second" } });
      expect(second.roomnum).toBe(10002);
    } finally {
      await db.$disconnect();
    }
  });

  test("every model is written and read back with all its fields", async () => {
    const db = createDb(URL_UNDER_TEST, { poolSize: 2, timeoutMs: 5000 });
    const at = (iso: string) => new Date(iso);
    try {
      const accountData = {
        appid: 1400000002,
        uid: "Model-User",
        uidKey: "model-user",
        role: 0,
        passwordHash: "scrypt$16384$8$1$c2FsdA==$aGFzaA==",
        tokenHash: "a".repeat(64),
        registeredAt: at("2026-01-02T03:04:05.678Z"),
        loginAt: at("2026-01-03T03:04:05.001Z"),
        logoutAt: at("2026-01-04T03:04:05.002Z"),
        lastRequestAt: at("2026-01-05T03:04:05.003Z"),
      };
      const account = await db.account.create({ data: accountData });
      expect(await db.account.findUniqueOrThrow({ where: { uin: account.uin } })).toEqual({ uin: account.uin, ...accountData });
      expect(await db.account.findUnique({ where: { appid_uidKey: { appid: 1400000002, uidKey: "model-user" } } })).toMatchObject({ uin: account.uin });
      expect(await db.account.findUnique({ where: { tokenHash: "a".repeat(64) } })).toMatchObject({ uin: account.uin });

      const courseData = {
        appid: 1400000002,
        hostUin: account.uin,
        title: "数学/math",
        cover: "http://x.com/a.jpg",
        state: 3,
        createdAt: at("2026-02-01T00:00:00.100Z"),
        startedAt: at("2026-02-01T00:10:00.200Z"),
        effectiveAt: at("2026-02-01T00:10:00.200Z"),
        startImSeq: 101,
        endedAt: at("2026-02-01T01:00:00.300Z"),
        endImSeq: 104,
        endReason: "teacher",
        lastRecImSeq: 103,
        replayIndexDueAt: at("2026-02-01T01:05:00.400Z"),
        replayIndexTriggeredAt: at("2026-02-01T01:05:01.500Z"),
        replayIndexTriggerResult: 1,
        replayIndexUrl: "http://idx/10001.json",
        replayIndexCreatedAt: at("2026-02-01T01:06:00.600Z"),
        replayIndexCreatedResult: 1,
        replayIndexStatus: "built",
        replayIndexAttempts: 2,
        replayIndexError: "[70001] some error",
        memberVersion: 7,
        mode: "class",
      };
      const course = await db.course.create({ data: courseData });
      expect(await db.course.findUniqueOrThrow({ where: { roomnum: course.roomnum } })).toEqual({ roomnum: course.roomnum, ...courseData });

      const memberData = {
        roomnum: course.roomnum,
        uin: account.uin,
        role: 0,
        joinedAt: at("2026-02-01T00:11:00.700Z"),
        leftAt: at("2026-02-01T00:50:00.800Z"),
        leaveReason: "timeout",
      };
      const member = await db.classMember.create({ data: memberData });
      expect(await db.classMember.findUniqueOrThrow({ where: { id: member.id } })).toEqual({ id: member.id, ...memberData });

      const bindingData = {
        uin: account.uin,
        roomnum: course.roomnum,
        scope: `c:${course.roomnum}`,
        type: 1,
        fileName: "lesson.mp4",
        url: "http://cos/lesson.mp4",
        boundAt: at("2026-02-01T00:12:00.900Z"),
      };
      const binding = await db.binding.create({ data: bindingData });
      expect(await db.binding.findUniqueOrThrow({ where: { id: binding.id } })).toEqual({ id: binding.id, ...bindingData });
      const library = await db.binding.create({
        data: { uin: account.uin, roomnum: null, scope: `u:${account.uin}`, type: 0, fileName: "a.ppt", url: "http://cos/a.ppt" },
      });
      expect(library.roomnum).toBeNull();
      expect(library.boundAt).toBeInstanceOf(Date);

      const liveCourse = await db.course.create({ data: { appid: 1400000002, hostUin: account.uin, title: "live", mode: "live" } });
      const liveRoomData = {
        roomnum: liveCourse.roomnum,
        type: "live",
        groupId: String(liveCourse.roomnum),
        device: 2,
        videoType: 1,
        reportedAppid: "1400000002",
        longitude: 113.9493,
        latitude: 22.5431,
        address: "深圳",
        reportedAt: at("2026-02-01T00:10:00.000Z"),
        recordName: "sxb_Model-User_demo",
        recordType: 0,
        recordCover: "http://x/c.jpg",
      };
      await db.liveRoom.create({ data: liveRoomData });
      expect(await db.liveRoom.findUniqueOrThrow({ where: { roomnum: liveCourse.roomnum }, include: { course: true } })).toEqual({ ...liveRoomData, course: liveCourse });
      expect(await db.liveRoom.create({ data: { ...liveRoomData, roomnum: course.roomnum, longitude: undefined, latitude: undefined, address: undefined, recordName: undefined, recordType: undefined, recordCover: undefined } })).toMatchObject({
        longitude: null,
        latitude: null,
        address: "",
        recordName: "",
        recordType: 0,
        recordCover: "",
      });

      const recordingData = {
        roomnum: course.roomnum,
        uin: account.uin,
        fileName: "class_10003_1769904600",
        startedAt: at("2026-02-01T00:10:00.000Z"),
        stoppedAt: at("2026-02-01T00:40:00.000Z"),
        fileIds: ["5285890781763144364", "5285890781763144365"],
        confirmed: true,
        stream: 1,
      };
      const recording = await db.recording.create({ data: recordingData });
      expect(await db.recording.findUniqueOrThrow({ where: { id: recording.id } })).toEqual({ id: recording.id, ...recordingData });
      expect(await db.recording.findFirst({ where: { fileIds: { has: "5285890781763144365" } } })).toMatchObject({ id: recording.id });
      const openRecording = await db.recording.create({ data: { roomnum: course.roomnum, uin: account.uin, fileName: "f", startedAt: at("2026-02-01T00:41:00.000Z") } });
      expect(openRecording).toMatchObject({ stoppedAt: null, fileIds: [], confirmed: true, stream: 0 });

      const pushData = {
        roomnum: course.roomnum,
        uin: account.uin,
        channelId: "10905947996257141754",
        liveUrls: [{ type: 5, url: "rtmp://8888.liveplay.myqcloud.com/live/8888_x", rateType: 0 }],
        startedAt: at("2026-02-01T00:10:00.000Z"),
        stoppedAt: null,
        confirmed: false,
        stream: 1,
      };
      const pushRow = await db.livePush.create({ data: pushData });
      expect(await db.livePush.findUniqueOrThrow({ where: { id: pushRow.id } })).toEqual({ id: pushRow.id, ...pushData });
      expect((await db.livePush.create({ data: { roomnum: course.roomnum, uin: account.uin, liveUrls: [], startedAt: at("2026-02-01T00:11:00.000Z") } })).channelId).toBe("");

      const operatorData = { uid: "desk@school", passwordHash: "scrypt$16384$8$1$c2FsdA==$aGFzaA==", apps: [1400000001, 1400000002], createdAt: at("2026-02-02T00:00:00.000Z") };
      const operator = await db.operator.create({ data: operatorData });
      expect(await db.operator.findUniqueOrThrow({ where: { uid: "desk@school" } })).toEqual({ id: operator.id, ...operatorData });
      await expect(db.operator.create({ data: { ...operatorData, apps: [] } })).rejects.toThrow();

      const eventData = { id: "evt_0123456789abcdef0123456789abcdef", appid: 1400000002, roomnum: course.roomnum, type: "course.started", payload: { id: "evt_x", data: { roomnum: 1, title: "标题" } }, occurredAt: at("2026-02-03T00:00:00.000Z") };
      await db.webhookEvent.create({ data: eventData });
      expect(await db.webhookEvent.findUniqueOrThrow({ where: { id: eventData.id } })).toEqual({ ...eventData });
      const deliveryData = { eventId: eventData.id, endpoint: "lms", orderKey: `lms:${course.roomnum}`, status: "delivered", attempts: 2, nextAttemptAt: at("2026-02-03T00:00:05.000Z"), leaseUntil: null, lastStatus: 204, lastError: "HTTP 503", deliveredAt: at("2026-02-03T00:00:06.000Z") };
      const delivery = await db.webhookDelivery.create({ data: deliveryData });
      expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id }, include: { event: true } })).toEqual({ id: delivery.id, ...deliveryData, event: eventData });
      await expect(db.webhookDelivery.create({ data: { ...deliveryData } })).rejects.toThrow();
      expect(await db.webhookDelivery.create({ data: { eventId: eventData.id, endpoint: "crm", orderKey: "crm:app", nextAttemptAt: at("2026-02-03T00:00:00.000Z") } })).toMatchObject({ status: "pending", attempts: 0, lastError: "", lastStatus: null });

      const videoData = {
        roomnum: course.roomnum,
        uin: account.uin,
        fileId: "5285890781763144364",
        videoId: "200025724_ac92b781a22c4a3e937c9e61c2624af7",
        videoUrl: "http://200025724.vod.myqcloud.com/200025724_ac92b781a22c4a3e937c9e61c2624af7.f0.flv",
        streamId: "2121_15919131751",
        fileFormat: "flv",
        startAt: at("2026-02-01T00:10:00.000Z"),
        endAt: at("2026-02-01T00:40:00.000Z"),
        // Beyond 32 bits: a file over 4 GB, a media clock of weeks.
        mediaStartTime: 5_000_000_000n,
        fileSize: 9_007_199_254_740_991n,
        duration: 1800,
        imSeq: 103,
        recordedAt: at("2026-02-01T00:41:00.000Z"),
        recordingId: recording.id,
      };
      const video = await db.videoRecord.create({ data: videoData });
      expect(await db.videoRecord.findUniqueOrThrow({ where: { id: video.id } })).toEqual({ id: video.id, ...videoData });
      expect(await db.videoRecord.findUnique({ where: { fileId: videoData.fileId } })).toMatchObject({ id: video.id });
      await expect(db.videoRecord.create({ data: { ...videoData } })).rejects.toThrow(); // one row per file
      const videoDefaults = await db.videoRecord.create({
        data: { ...videoData, fileId: "other", fileFormat: undefined, imSeq: undefined, recordedAt: undefined, recordingId: undefined },
      });
      expect(videoDefaults).toMatchObject({ fileFormat: "", imSeq: null, recordingId: null });
      expect(videoDefaults.recordedAt).toBeInstanceOf(Date);

      // Relations resolve through the foreign keys.
      const withRelations = await db.course.findUniqueOrThrow({
        where: { roomnum: course.roomnum },
        include: { host: true, members: true, bindings: true, videos: true, recordings: { include: { videos: true } }, pushes: true },
      });
      expect(withRelations.host.uid).toBe("Model-User");
      expect(withRelations.members.map((m) => m.id)).toEqual([member.id]);
      expect(withRelations.bindings.map((b) => b.id)).toEqual([binding.id]);
      expect(withRelations.videos.map((v) => v.id)).toEqual([video.id, videoDefaults.id]);
      expect(withRelations.recordings.map((r) => [r.id, r.videos.map((v) => v.id)])).toEqual([
        [recording.id, [video.id]],
        [openRecording.id, []],
      ]);
      expect(withRelations.pushes).toHaveLength(2);
      expect((await db.account.findUniqueOrThrow({ where: { uin: account.uin }, include: { videos: true } })).videos).toHaveLength(2);

      // Defaults of the schema are the database's.
      const defaults = await db.course.create({ data: { appid: 1400000002, hostUin: account.uin, title: "" } });
      expect(defaults).toMatchObject({
        cover: "",
        state: 0,
        startedAt: null,
        startImSeq: 0,
        endedAt: null,
        endImSeq: 0,
        endReason: null,
        lastRecImSeq: 0,
        replayIndexDueAt: null,
        replayIndexTriggeredAt: null,
        replayIndexTriggerResult: 0,
        replayIndexUrl: "",
        replayIndexCreatedAt: null,
        replayIndexCreatedResult: 0,
        replayIndexStatus: null,
        replayIndexAttempts: 0,
        replayIndexError: "",
        memberVersion: 0,
        mode: "class",
      });
      expect(defaults.createdAt).toBeInstanceOf(Date);
      expect(defaults.effectiveAt).toBeInstanceOf(Date);
    } finally {
      await db.$disconnect();
    }
  });

  interface ExpectedIndex {
    name: string;
    table: string;
    unique: boolean;
    columns: string;
  }

  /** The indexes (and primary keys) schema.prisma declares, named as Prisma names them. */
  function indexesOfSchema(): { indexes: ExpectedIndex[]; foreignKeys: string[] } {
    const indexes: ExpectedIndex[] = [];
    const foreignKeys: string[] = [];
    const models = [...SCHEMA.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
    expect(models.map((m) => m[1]).sort()).toEqual(["Account", "Binding", "ClassMember", "Course", "LivePush", "LiveRoom", "Operator", "Recording", "VideoRecord", "WebhookDelivery", "WebhookEvent"]);
    const columnList = (list: string) =>
      list
        .split(",")
        .map((c) => c.trim())
        .map((c) => {
          const m = /^(\w+)(?:\(sort:\s*(Asc|Desc)\))?$/.exec(c);
          if (!m) throw new Error(`unparsed index column ${c}`);
          return { field: m[1]!, desc: m[2] === "Desc" };
        });
    for (const [, model, body] of models) {
      for (const line of body!.split("\n").map((l) => l.trim())) {
        if (line.startsWith("///") || line.startsWith("//") || line === "") continue;
        const block = /^@@(index|unique|id)\(\[([^\]]+)\]/.exec(line);
        if (block) {
          const cols = columnList(block[2]!);
          const kind = block[1]!;
          const name = kind === "id" ? `${model}_pkey` : `${model}_${cols.map((c) => c.field).join("_")}_${kind === "index" ? "idx" : "key"}`;
          indexes.push({ name, table: model!, unique: kind !== "index", columns: cols.map((c) => (c.desc ? `${c.field} DESC` : c.field)).join(", ") });
          continue;
        }
        const field = /^(\w+)\s+\S+/.exec(line);
        if (!field) continue;
        if (/@id\b/.test(line)) indexes.push({ name: `${model}_pkey`, table: model!, unique: true, columns: field[1]! });
        if (/@unique\b/.test(line)) indexes.push({ name: `${model}_${field[1]}_key`, table: model!, unique: true, columns: field[1]! });
        const relation = /@relation\(fields:\s*\[([^\]]+)\]/.exec(line);
        if (relation) foreignKeys.push(`${model}_${relation[1]!.split(",").map((f) => f.trim()).join("_")}_fkey`);
      }
    }
    return { indexes, foreignKeys };
  }

  test("every index of schema.prisma exists with Prisma's name, columns and uniqueness", async () => {
    const { indexes: expected } = indexesOfSchema();
    expect(expected.filter((i) => i.name.endsWith("_idx")).length).toBeGreaterThan(0);

    // The migration SQL creates exactly the schema's indexes, by name (less those a later migration dropped).
    const sqlText = MIGRATIONS.map((m) => readFileSync(join(MIGRATIONS_DIR, m.name, "migration.sql"), "utf8")).join("\n");
    const dropped = new Set([...sqlText.matchAll(/DROP INDEX "([^"]+)"/g)].map((m) => m[1]!));
    const created = [
      ...[...sqlText.matchAll(/CREATE (?:UNIQUE )?INDEX "([^"]+)"/g)].map((m) => m[1]!),
      ...[...sqlText.matchAll(/CONSTRAINT "([^"]+_pkey)" PRIMARY KEY/g)].map((m) => m[1]!),
    ].filter((name) => !dropped.has(name));
    expect(created.sort()).toEqual(expected.map((i) => i.name).sort());

    const actual = await query<{ tablename: string; indexname: string; indexdef: string }>(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
    );
    expect(actual.map((r) => r.indexname).sort()).toEqual(expected.map((i) => i.name).sort());
    for (const index of expected) {
      const row = actual.find((r) => r.indexname === index.name)!;
      expect(row.tablename).toBe(index.table);
      expect(row.indexdef.startsWith("CREATE UNIQUE INDEX")).toBe(index.unique);
      const columns = /USING btree \((.*)\)$/.exec(row.indexdef)?.[1]?.replace(/"/g, "");
      expect({ name: index.name, columns }).toEqual({ name: index.name, columns: index.columns });
    }
  });

  test("a stay's leave is a HOT update: no ClassMember index holds leftAt or leaveReason, and its pages keep room for the leave", async () => {
    const indexes = await query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'ClassMember'`);
    expect(indexes.length).toBeGreaterThan(0);
    for (const { indexdef } of indexes) expect(indexdef).not.toMatch(/leftAt|leaveReason/);
    const [table] = await query<{ reloptions: string[] | null }>(`SELECT reloptions FROM pg_class WHERE relname = 'ClassMember'`);
    expect(table!.reloptions).toEqual(["fillfactor=40"]);
  });

  test("every relation of schema.prisma is a foreign key with Prisma's name", async () => {
    const { foreignKeys } = indexesOfSchema();
    const actual = await query<{ conname: string }>(
      `SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype = 'f'`,
    );
    expect(actual.map((r) => r.conname).sort()).toEqual(foreignKeys.sort());
  });
});
