import { readFileSync } from "node:fs";
import { join } from "node:path";
import { C, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { TEST_CALLBACK_KEY } from "./support/env";
import { liveCallbackSignature, recordingFileEvent } from "./support/callbacks";
import { freePort } from "../scripts/support/processes";

/**
 * GET /metrics (prom-client): requests by dialect, command and code with their latency, outbound
 * Tencent calls by outcome, reaper sweeps, the census of rooms, members and replay indexes read at
 * the scrape, Node's own metrics; on METRICS_PORT apart; none when METRICS_ENABLED=false. The
 * Grafana dashboard in docs/ uses only metrics the server exports.
 */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition format's samples (comments skipped). */
function samplesOf(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line)!;
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(url: string): Promise<{ status: number; type: string | null; samples: Sample[] }> {
  const response = await fetch(`${url}/metrics`);
  return { status: response.status, type: response.headers.get("content-type"), samples: samplesOf(await response.text()) };
}

/** The value of the one sample of `name` whose labels include `labels` (0 when absent, as Prometheus reads a counter not yet made). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} names ${found.length} samples`);
  return found[0]?.value ?? 0;
}

describe("metrics on the main port", () => {
  let t: TestServer;
  let T: string;
  let S: string;
  beforeAll(async () => {
    t = await startTestServer();
    ({ T, S } = await signUpClassroom(t));
  });
  afterAll(() => t.close());
  const live = (cmd: string, token: string, fields: Record<string, unknown> = {}) => t.call("live", cmd, { ...C, token, ...fields });

  test("requests are counted by dialect, command and error code, with their latency", async () => {
    const before = (await scrape(t.url)).samples;
    const room = (await live("create", T, { title: "metrics" })).body.data.roomnum as number;
    expect((await live("startcourse", T, { roomnum: room })).body.errorCode).toBe(0);
    for (let i = 0; i < 3; i++) expect((await live("heartbeat", T, { roomnum: room })).body.errorCode).toBe(0);
    expect((await live("heartbeat", "no-such-token", { roomnum: room })).body.errorCode).toBe(10009);
    expect((await t.rest("GET", "/courses?index=0&size=5", { token: S })).status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/nothing`)).status).toBe(404);
    const after = await scrape(t.url);
    expect(after.status).toBe(200);
    expect(after.type).toBe("text/plain; version=0.0.4; charset=utf-8");
    const grew = (name: string, labels: Record<string, string>) => valueOf(after.samples, name, labels) - valueOf(before, name, labels);
    expect(grew("sxb_requests_total", { dialect: "classroom", command: "live.heartbeat", code: "0" })).toBe(3);
    expect(grew("sxb_requests_total", { dialect: "classroom", command: "live.heartbeat", code: "10009" })).toBe(1);
    expect(grew("sxb_requests_total", { dialect: "classroom", command: "live.startcourse", code: "0" })).toBe(1);
    expect(grew("sxb_requests_total", { dialect: "rest", command: "live.roomlist", code: "0" })).toBe(1);
    // A path nobody serves: counted, and with the code it was answered (10001), not 0.
    expect(grew("sxb_requests_total", { dialect: "other", command: "none", code: "10001" })).toBe(1);
    expect(grew("sxb_request_duration_seconds_count", { dialect: "classroom", command: "live.heartbeat" })).toBe(4);
    // Sub-millisecond buckets exist for the heartbeat; the slowest bucket holds every beat.
    expect(after.samples.some((s) => s.name === "sxb_request_duration_seconds_bucket" && s.labels.le === "0.00025")).toBe(true);
    expect(grew("sxb_request_duration_seconds_bucket", { dialect: "classroom", command: "live.heartbeat", le: "+Inf" })).toBe(4);
  });

  test("outbound Tencent calls are counted by service and outcome: answered, refused, unanswered", async () => {
    const before = (await scrape(t.url)).samples;
    const room = (await live("create", T, { title: "tencent" })).body.data.roomnum as number;
    t.im.mode = "error";
    expect((await live("startcourse", T, { roomnum: room })).body.errorCode).toBe(10103);
    t.im.mode = "down";
    expect((await live("startcourse", T, { roomnum: room })).body.errorCode).toBe(10103);
    t.im.mode = "ok";
    expect((await live("startcourse", T, { roomnum: room })).body.errorCode).toBe(0);
    const after = (await scrape(t.url)).samples;
    const grew = (labels: Record<string, string>) => valueOf(after, "sxb_tencent_calls_total", labels) - valueOf(before, "sxb_tencent_calls_total", labels);
    expect(grew({ service: "im", outcome: "error" })).toBe(1);
    expect(grew({ service: "im", outcome: "unanswered" })).toBe(1);
    expect(grew({ service: "im", outcome: "ok" })).toBe(1);
    expect(valueOf(after, "sxb_tencent_call_duration_seconds_count", { service: "im" }) - valueOf(before, "sxb_tencent_call_duration_seconds_count", { service: "im" })).toBe(3);
  });

  test("the census at the scrape: living classes, members present, ended classes by replay index status", async () => {
    await t.server.redis.flushdb();
    await t.server.reaper.sweep(); // presence rebuilt from PostgreSQL: every living class and member
    const room = (await live("create", T, { title: "census" })).body.data.roomnum as number;
    expect((await live("startcourse", T, { roomnum: room })).body.errorCode).toBe(0);
    expect((await live("reportmemid", S, { roomnum: room, operate: 0 })).body.errorCode).toBe(0);
    const living = Number(await t.server.redis.zcard("presence:living"));
    const members = Number(await t.server.redis.zcard("presence:members"));
    let samples = (await scrape(t.url)).samples;
    expect(valueOf(samples, "sxb_rooms_living", { mode: "class" })).toBe(living);
    expect(valueOf(samples, "sxb_members_present", { mode: "class" })).toBe(members);
    expect(members).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, "sxb_rooms_living", { mode: "live" })).toBe(0);

    const waitingBefore = valueOf(samples, "sxb_replay_index_courses", { status: "waiting" });
    expect((await live("exitroom", T, { roomnum: room })).body.errorCode).toBe(0);
    samples = (await scrape(t.url)).samples;
    expect(valueOf(samples, "sxb_rooms_living", { mode: "class" })).toBe(living - 1);
    expect(valueOf(samples, "sxb_replay_index_courses", { status: "waiting" })).toBe(waitingBefore + 1);
    for (const status of ["requested", "built", "failed"]) expect(samples.some((s) => s.name === "sxb_replay_index_courses" && s.labels.status === status)).toBe(true);
  });

  test("reaper sweeps: counted, timed, and what they ended", async () => {
    const before = (await scrape(t.url)).samples;
    const room = (await live("create", T, { title: "silent" })).body.data.roomnum as number;
    expect((await live("startcourse", T, { roomnum: room })).body.errorCode).toBe(0);
    expect((await live("reportmemid", S, { roomnum: room, operate: 0 })).body.errorCode).toBe(0);
    // Far in the future: the teacher and the student are silent past every timeout.
    const result = await t.server.reaper.sweep(Date.now() + 3_600_000);
    expect(result.classesEnded).toBeGreaterThanOrEqual(1);
    await t.server.reaper.sweep();
    const after = (await scrape(t.url)).samples;
    expect(valueOf(after, "sxb_reaper_sweeps_total") - valueOf(before, "sxb_reaper_sweeps_total")).toBe(2);
    expect(valueOf(after, "sxb_reaper_sweep_duration_seconds_count") - valueOf(before, "sxb_reaper_sweep_duration_seconds_count")).toBe(2);
    expect(valueOf(after, "sxb_reaper_ended_total", { kind: "class" }) - valueOf(before, "sxb_reaper_ended_total", { kind: "class" })).toBe(result.classesEnded);
  });

  test("recording callbacks by outcome (accepted, refused for signature or payload), files stored or duplicate, replay index attempts", async () => {
    const before = (await scrape(t.url)).samples;
    const room = (await live("create", T, { title: "recorded" })).body.data.roomnum as number;
    expect((await live("startcourse", T, { roomnum: room })).body.errorCode).toBe(0);
    const file = recordingFileEvent(room, "teacher1", TEST_CALLBACK_KEY, { file_id: `metrics-${room}`, video_id: `metrics-video-${room}` });
    const reccall = (body: Record<string, unknown>) => t.call("live", "reccall", body);
    expect((await reccall(file)).text).toBe('{"code":0}');
    expect((await reccall(file)).text).toBe('{"code":0}');
    expect((await reccall({ ...file, ...liveCallbackSignature("not-the-key") })).status).toBe(401);
    expect((await reccall({ ...file, event_type: "x", ...liveCallbackSignature(TEST_CALLBACK_KEY) })).text).not.toBe('{"code":0}');
    expect((await live("exitroom", T, { roomnum: room })).body.errorCode).toBe(0);
    // The index is due REPLAY_INDEX_DELAY_S after the end: a run an hour later finds it; the built-in index is built at once.
    await t.server.replayScheduler.run(Date.now() + 3_600_000);
    const after = (await scrape(t.url)).samples;
    const grew = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(grew("sxb_callbacks_total", { command: "live.reccall", outcome: "accepted" })).toBe(2);
    expect(grew("sxb_callbacks_total", { command: "live.reccall", outcome: "refused_signature" })).toBe(1);
    expect(grew("sxb_callbacks_total", { command: "live.reccall", outcome: "refused_payload" })).toBe(1);
    expect(grew("sxb_recording_files_total", { outcome: "stored" })).toBe(1);
    expect(grew("sxb_recording_files_total", { outcome: "duplicate" })).toBe(1);
    expect(grew("sxb_replay_index_attempts_total", { outcome: "built" })).toBeGreaterThanOrEqual(1);
  });

  test("Node's own metrics: CPU, heap, event-loop lag, GC", async () => {
    const names = new Set((await scrape(t.url)).samples.map((s) => s.name));
    for (const name of ["process_cpu_user_seconds_total", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_p99_seconds", "nodejs_gc_duration_seconds_count"]) expect(names).toContain(name);
  });

  test("the Grafana dashboard in docs/ graphs only metrics the server exports", async () => {
    const dashboard = readFileSync(join(__dirname, "..", "docs", "grafana-dashboard.json"), "utf8");
    const expressions = [...dashboard.matchAll(/"expr":\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]!}"`) as string);
    expect(expressions.length).toBeGreaterThanOrEqual(8);
    const used = new Set(expressions.flatMap((e) => [...e.matchAll(/\b((?:sxb|process|nodejs)_\w+)/g)].map((m) => m[1]!)));
    const exported = new Set((await scrape(t.url)).samples.map((s) => s.name));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});

describe("metrics apart (METRICS_PORT) and switched off (METRICS_ENABLED=false)", () => {
  test("on METRICS_PORT only: the main port answers /metrics as any unknown path", async () => {
    const port = await freePort();
    const t = await startTestServer({ METRICS_PORT: String(port), HOST: "127.0.0.1" });
    try {
      const main = await fetch(`${t.url}/metrics`);
      expect(main.status).toBe(404);
      expect(await main.json()).toEqual({ errorCode: 10001, errorInfo: "Invalid request." });
      const apart = await scrape(`http://127.0.0.1:${port}`);
      expect(apart.status).toBe(200);
      expect(apart.samples.some((s) => s.name === "sxb_requests_total" && s.labels.dialect === "other" && s.labels.code === "10001")).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await t.close();
    }
    // Closed with the server.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  test("switched off: no /metrics, nothing counted", async () => {
    const t = await startTestServer({ METRICS_ENABLED: "false" });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
      const room = (await t.call("live", "create", { ...C, token: (await signUpClassroom(t)).T, title: "off" })).body.data.roomnum as number;
      expect(room).toBeGreaterThan(0);
      await t.server.reaper.sweep();
      // Nothing counted, no process metrics collected.
      expect(samplesOf(await t.server.metrics.text()).filter((s) => s.value !== 0)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
