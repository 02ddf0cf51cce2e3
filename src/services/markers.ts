import type { SdkApp } from "../config";
import { Errors } from "../errors";
import type { Logger } from "../logger";
import { RedisKeys } from "../infra/redis/keys";
import type { RedisClient } from "../infra/redis/client";
import { type ClassMarkerType, classMarkerMessage, type GroupCustomMessage, ImError, type ImClient } from "../infra/tencent/im";

/**
 * Class markers, posted at most once per change. A marker whose outcome is unknown (IM
 * timed out) may still land; the change it marks is then not recorded, and when the
 * change is tried again the same message (same Random) is posted, which IM keeps as one.
 * So a retried start leaves one 1001 in the group, not two. The pending message is kept
 * in Redis for less than IM's five-minute duplicate window, and dropped once the change
 * is recorded (settle) or IM refused it outright.
 */

/** IM's duplicate window is five minutes; a pending message is reused for a little less. */
const PENDING_TTL_MS = 4.5 * 60 * 1000;

/** What a marker marks: a class's start or end, a member entering (uin), a recording file announced (its row id). */
export type MarkedChange = "start" | "end" | `enter:${number}` | `recording:${number}`;

type Marker = { type: ClassMarkerType; timestamp: number; value: Record<string, unknown> };

export class ClassMarkers {
  constructor(private readonly deps: { redis: RedisClient; im: ImClient; log: Logger }) {}

  /** As post, for a request: an IM failure is logged and answered 10103 ("save info to imgroup failed."). */
  async postOrRefuse(app: SdkApp, roomnum: number, change: MarkedChange, marker: Marker): Promise<number> {
    try {
      return await this.post(app, roomnum, change, marker);
    } catch (error) {
      if (!(error instanceof ImError)) throw error;
      this.deps.log.warn({ roomnum, type: marker.type, err: error.message }, "IM marker failed");
      throw Errors.imSendFailed();
    }
  }

  /** Posts the marker of `change` (or the one an earlier attempt left pending); returns its MsgSeq. Throws ImError. */
  async post(app: SdkApp, roomnum: number, change: MarkedChange, marker: Marker): Promise<number> {
    const { redis, im } = this.deps;
    const key = RedisKeys.pendingMarker(roomnum, change);
    // Set only if none is pending, so two attempts at once (a callback and Tencent's retry) post one message.
    const fresh = classMarkerMessage(marker);
    const created = await redis.set(key, JSON.stringify(fresh), "PX", PENDING_TTL_MS, "NX");
    const saved = created === "OK" ? null : await redis.get(key);
    const message = saved ? (JSON.parse(saved) as GroupCustomMessage) : fresh;
    try {
      return await im.sendGroupCustomMessage(app, String(roomnum), message);
    } catch (error) {
      // Refused: nothing was posted, so the next attempt may start afresh.
      if (error instanceof ImError && error.outcome === "refused") await redis.del(key);
      throw error;
    }
  }

  /** The change is recorded: its marker is no longer pending. */
  async settle(roomnum: number, change: MarkedChange): Promise<void> {
    await this.deps.redis.del(RedisKeys.pendingMarker(roomnum, change));
  }
}
