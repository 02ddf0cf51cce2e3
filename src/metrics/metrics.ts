import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * What the server exports to Prometheus (`GET /metrics`), in one registry per instance. Every
 * metric is declared here, once: the doors count requests, the Tencent clients their calls, the
 * reaper its sweeps; the census (rooms, members, replay indexes) is read from Redis and
 * PostgreSQL when Prometheus scrapes, never per request. Disabled (METRICS_ENABLED=false), every
 * method returns at once.
 */

/** This instance's counts, as the console's health page shows them. */
export interface MetricCounts {
  enabled: boolean;
  requests: Array<{ dialect: string; command: string; code: number; count: number }>;
  reaperSweeps: number;
  reaperEnded: Record<string, number>;
  callbacks: Array<{ command: string; outcome: string; count: number }>;
  tencentCalls: Array<{ service: string; outcome: string; count: number }>;
}

/** Where a request was spoken. */
export type RequestDialect = "classroom" | "live" | "rest" | "other";
/** Every outbound Tencent service. */
export type TencentService = "im" | "replay_index" | "videorelay" | "vod";
/** A Tencent call: answered with success, answered with an error, or no usable answer (refused, timed out, unreadable). */
export type TencentOutcome = "ok" | "error" | "unanswered";
export type CallbackOutcome = "accepted" | "refused_signature" | "refused_payload";
export const REPLAY_INDEX_STATUSES = ["waiting", "requested", "built", "failed"] as const;

/** What the census reads at each scrape. */
export interface Census {
  /** Living classes and live rooms, and the members present in them (the host apart). */
  rooms: Record<"class" | "live", { living: number; membersPresent: number }>;
  replayIndex: Record<(typeof REPLAY_INDEX_STATUSES)[number], number>;
}

/** Seconds: the heartbeat's sub-millisecond path to the Tencent-bound commands' seconds. */
const REQUEST_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SWEEP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface RequestChildren {
  count: Counter.Internal;
  seconds: Histogram.Internal<string>;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: "sxb_requests_total", help: "Requests answered, by dialect, command and error code (0: success).", labelNames: ["dialect", "command", "code"], registers: [this.registry] });
  private readonly requestSeconds = new Histogram({ name: "sxb_request_duration_seconds", help: "Time to answer a request, by dialect and command.", labelNames: ["dialect", "command"], buckets: REQUEST_BUCKETS, registers: [this.registry] });
  private readonly tencentCalls = new Counter({ name: "sxb_tencent_calls_total", help: "Outbound Tencent calls, by service and outcome.", labelNames: ["service", "outcome"], registers: [this.registry] });
  private readonly tencentSeconds = new Histogram({ name: "sxb_tencent_call_duration_seconds", help: "Time of an outbound Tencent call, by service.", labelNames: ["service"], buckets: CALL_BUCKETS, registers: [this.registry] });
  private readonly sweeps = new Counter({ name: "sxb_reaper_sweeps_total", help: "Reaper sweeps run by this instance.", registers: [this.registry] });
  private readonly sweepSeconds = new Histogram({ name: "sxb_reaper_sweep_duration_seconds", help: "Time of a reaper sweep.", buckets: SWEEP_BUCKETS, registers: [this.registry] });
  private readonly reaped = new Counter({ name: "sxb_reaper_ended_total", help: "What the reaper ended for silence: classes (rooms) and members.", labelNames: ["kind"], registers: [this.registry] });
  private readonly callbacks = new Counter({ name: "sxb_callbacks_total", help: "Tencent's signed callbacks, by command and outcome: accepted, refused_signature, refused_payload (an accepted one may still fail: see sxb_requests_total).", labelNames: ["command", "outcome"], registers: [this.registry] });
  private readonly recordingFiles = new Counter({ name: "sxb_recording_files_total", help: "Recording files Tencent called back: stored (new) or duplicate (a retry or another delivery of a stored file).", labelNames: ["outcome"], registers: [this.registry] });
  private readonly replayAttempts = new Counter({ name: "sxb_replay_index_attempts_total", help: "Replay index attempts of this instance's scheduler: built, requested (the service calls back), failed.", labelNames: ["outcome"], registers: [this.registry] });
  /** Children by dialect, command and code, made once: the heartbeat's path builds no key and hashes no label object. */
  private readonly requestChildren = new Map<string, Map<string, Map<number, RequestChildren>>>();

  constructor(
    readonly enabled: boolean,
    census?: () => Promise<Census>,
  ) {
    if (!enabled) return;
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    if (census) this.registerCensus(census);
  }

  /** One answered request. */
  request(dialect: RequestDialect, command: string, code: number, seconds: number): void {
    if (!this.enabled) return;
    let byCommand = this.requestChildren.get(dialect);
    if (!byCommand) this.requestChildren.set(dialect, (byCommand = new Map<string, Map<number, RequestChildren>>()));
    let byCode = byCommand.get(command);
    if (!byCode) byCommand.set(command, (byCode = new Map<number, RequestChildren>()));
    let child = byCode.get(code);
    if (!child) byCode.set(code, (child = { count: this.requests.labels(dialect, command, String(code)), seconds: this.requestSeconds.labels(dialect, command) }));
    child.count.inc();
    child.seconds.observe(seconds);
  }

  /** One outbound Tencent call. */
  tencentCall(service: TencentService, outcome: TencentOutcome, seconds: number): void {
    if (!this.enabled) return;
    this.tencentCalls.labels(service, outcome).inc();
    this.tencentSeconds.labels(service).observe(seconds);
  }

  /** One reaper sweep and what it ended. */
  reaperSweep(seconds: number, classesEnded: number, membersDropped: number): void {
    if (!this.enabled) return;
    this.sweeps.inc();
    this.sweepSeconds.observe(seconds);
    if (classesEnded > 0) this.reaped.labels("class").inc(classesEnded);
    if (membersDropped > 0) this.reaped.labels("member").inc(membersDropped);
  }

  /** One signed callback: accepted, or refused for its signature or its payload. */
  callback(command: string, outcome: CallbackOutcome): void {
    if (this.enabled) this.callbacks.labels(command, outcome).inc();
  }

  /** One recording file called back. */
  recordingFile(outcome: "stored" | "duplicate"): void {
    if (this.enabled) this.recordingFiles.labels(outcome).inc();
  }

  /** One replay index attempt. */
  replayIndexAttempt(outcome: "built" | "requested" | "failed"): void {
    if (this.enabled) this.replayAttempts.labels(outcome).inc();
  }

  /**
   * This instance's counts since it started, for the console's health page: requests by command and
   * code, reaper sweeps and what they ended, refused callbacks, Tencent calls by service and outcome.
   */
  async counts(): Promise<MetricCounts> {
    const valuesOf = async (metric: Counter) => (await metric.get()).values.map((v) => ({ labels: v.labels as Record<string, string>, value: v.value }));
    const [requests, sweeps, reaped, callbacks, tencent] = await Promise.all([valuesOf(this.requests), valuesOf(this.sweeps), valuesOf(this.reaped), valuesOf(this.callbacks), valuesOf(this.tencentCalls)]);
    return {
      enabled: this.enabled,
      requests: requests.map(({ labels, value }) => ({ dialect: labels.dialect ?? "", command: labels.command ?? "", code: Number(labels.code), count: value })),
      reaperSweeps: sweeps[0]?.value ?? 0,
      reaperEnded: Object.fromEntries(reaped.map(({ labels, value }) => [labels.kind ?? "", value])),
      callbacks: callbacks.map(({ labels, value }) => ({ command: labels.command ?? "", outcome: labels.outcome ?? "", count: value })),
      tencentCalls: tencent.map(({ labels, value }) => ({ service: labels.service ?? "", outcome: labels.outcome ?? "", count: value })),
    };
  }

  /** The exposition text. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Gauges read at each scrape, one census for all of them (a failed census leaves them as they were). */
  private registerCensus(census: () => Promise<Census>): void {
    let taken: Promise<Census | undefined> | undefined;
    // Every gauge's collect asks; the gauges of one scrape share one census.
    const current = () => {
      taken ??= census()
        .catch(() => undefined)
        .finally(() => setImmediate(() => (taken = undefined)));
      return taken;
    };
    const gauge = (name: string, help: string, label: string, fill: (c: Census, set: (value: string, n: number) => void) => void) =>
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers: [this.registry],
        async collect() {
          const c = await current();
          if (c) fill(c, (value, n) => this.labels(value).set(n));
        },
      });
    const MODES = ["class", "live"] as const;
    gauge("sxb_rooms_living", "Living classes (mode class) and live rooms (mode live).", "mode", (c, set) => MODES.forEach((m) => set(m, c.rooms[m].living)));
    gauge("sxb_members_present", "Members present in living rooms, the host apart, by mode (from presence, sampled at the scrape).", "mode", (c, set) => MODES.forEach((m) => set(m, c.rooms[m].membersPresent)));
    gauge("sxb_replay_index_courses", "Ended classes by replay index status.", "status", (c, set) => REPLAY_INDEX_STATUSES.forEach((s) => set(s, c.replayIndex[s])));
  }
}
