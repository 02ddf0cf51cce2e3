import { createHash, randomBytes, randomInt } from "node:crypto";
import type { EmulatedCloud } from "./http";
import type { EmulatedApp, ImEmulator, ReceivedGroupMessage } from "./im";
import type { VodEmulator } from "./vod";

/**
 * Tencent's bypass recording, simulated: it watches the class markers IM receives (1001 a
 * class starts, 1002 it ends) and, once a class has ended, calls the recording callback
 * (event 100) for the teacher's stream as Tencent does: a JSON POST signed with the
 * callback key (`t` = expiry, `sign` = md5(key + t)), `stream_param` naming the group and
 * the base64 user id, retried 3 times, `retryDelayMs` apart, when not answered 200. The
 * file is added to the emulated VOD too. Off until enabled (tests that count IM messages
 * would see its 1004 markers); development turns it on.
 */

export interface RecordingTarget {
  /** The recording callback URL (the live console's setting). */
  url: string;
  /** The callback key it signs with. */
  key: string;
}

/** One recording file: which class and user, and when (unix seconds). */
export interface SimulatedRecording {
  app: EmulatedApp;
  groupId: string;
  uid: string;
  startS: number;
  endS: number;
  /** The file's id when something named it already (a stopped server-side recording); else a new one. */
  fileId?: string;
  /** A live room's stream (the live shows' apps push without a user id; its callback is the live one). */
  live?: boolean;
}

export interface RecordingDelivery {
  payload: Record<string, unknown>;
  /** One per try: the HTTP status (0: no answer) and the body. */
  attempts: Array<{ status: number; answer: string }>;
}

/** Tencent's retries of a callback not answered 200. */
const RETRIES = 3;
/** The signature's lifetime (Tencent's default). */
const SIGN_LIFETIME_S = 600;
/** A plausible bit rate for the file size (1 Mbit/s). */
const BYTES_PER_SECOND = 125000;

interface Marker {
  type?: unknown;
  value?: { uid?: unknown };
}

function markerOf(message: ReceivedGroupMessage): Marker | undefined {
  const data = message.msgBody[0]?.MsgContent.Data;
  if (typeof data !== "string") return undefined;
  try {
    return JSON.parse(data) as Marker;
  } catch {
    return undefined;
  }
}

export class RecordingSimulator {
  enabled = false;
  target: RecordingTarget | undefined;
  /** Where a live room's recording is announced (the live shows' callback URL), if elsewhere than `target`. */
  liveTarget: RecordingTarget | undefined;
  /** How long after a class ends its recording is announced. */
  delayMs = 0;
  retryDelayMs = 60000;
  readonly deliveries: RecordingDelivery[] = [];
  private readonly starts = new Map<string, { atS: number; uid: string }>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly cloud: EmulatedCloud,
    im: ImEmulator,
    private readonly vod: VodEmulator,
  ) {
    im.listeners.push((message, app) => this.observe(message, app));
  }

  /** Announces one recording file (also what a class's end does by itself). */
  record(recording: SimulatedRecording): Record<string, unknown> {
    const payload = this.eventOf(recording);
    const delivery: RecordingDelivery = { payload, attempts: [] };
    this.deliveries.push(delivery);
    const done = new Promise<void>((resolve) => setTimeout(resolve, this.delayMs))
      .then(() => this.deliver(delivery, recording.live ? (this.liveTarget ?? this.target) : this.target))
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
    return payload;
  }

  /** Resolves once every delivery scheduled so far has ended (answered 200, or retried out). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private observe(message: ReceivedGroupMessage, app: EmulatedApp): void {
    const marker = markerOf(message);
    const uid = marker?.value?.uid;
    if (typeof uid !== "string") return;
    const key = `${app.sdkAppId}:${message.groupId}`;
    if (marker?.type === 1001) this.starts.set(key, { atS: message.msgTime, uid });
    if (marker?.type !== 1002) return;
    const start = this.starts.get(key);
    this.starts.delete(key);
    if (this.enabled && this.target) this.record({ app, groupId: message.groupId, uid, startS: start?.atS ?? message.msgTime, endS: message.msgTime });
  }

  /** The event-100 payload Tencent posts for a recording file (tencent-formats.md §(a)). */
  private eventOf(recording: SimulatedRecording): Record<string, unknown> {
    const { appId } = this.cloud;
    const streamId = `${appId}_${createHash("md5").update(`${recording.groupId}_${recording.uid}_main`).digest("hex")}`;
    const fileId = recording.fileId ?? String(5285890780000000000n + BigInt(randomInt(0, 2 ** 47)));
    const hex = randomBytes(16).toString("hex");
    const duration = Math.max(recording.endS - recording.startS, 1);
    const videoUrl = `http://${appId}.vod2.myqcloud.com/${hex}/${fileId}/f0.mp4`;
    this.vod.addMedia({ fileId, name: `${recording.groupId}-${recording.uid}.mp4`, url: videoUrl, duration });
    const userid = Buffer.from(recording.uid, "utf8").toString("base64");
    return {
      event_type: 100,
      appid: appId,
      app: `${appId}.livepush.myqcloud.com`,
      appname: "live",
      stream_id: streamId,
      channel_id: streamId,
      file_id: fileId,
      record_file_id: fileId,
      file_format: "mp4",
      task_id: randomBytes(8).toString("hex"),
      start_time: recording.startS,
      end_time: recording.startS + duration,
      duration,
      file_size: duration * BYTES_PER_SECOND,
      media_start_time: 0,
      record_bps: 0,
      video_id: `${appId}_${hex}`,
      video_url: videoUrl,
      stream_param: new URLSearchParams({
        txSecret: randomBytes(8).toString("hex"),
        txTime: (recording.endS + 86400).toString(16),
        groupid: recording.groupId,
        ...(recording.live ? {} : { userid }),
        record: "mp4",
      }).toString(),
    };
  }

  /** Posts the event, signed afresh at each try; retried when not answered 200. */
  private async deliver(delivery: RecordingDelivery, target: RecordingTarget | undefined): Promise<void> {
    if (!target) return;
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      const t = Math.floor(Date.now() / 1000) + SIGN_LIFETIME_S;
      const body = { t, sign: createHash("md5").update(`${target.key}${t}`).digest("hex"), ...delivery.payload };
      try {
        const response = await fetch(target.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        delivery.attempts.push({ status: response.status, answer: await response.text() });
        if (response.status === 200) return;
      } catch (error) {
        delivery.attempts.push({ status: 0, answer: String(error) });
      }
    }
  }
}
