import { randomInt } from "node:crypto";
import type { SdkApp } from "../../config";
import { ImError, ImRest, type ImRestOptions } from "./im-rest";

/**
 * Tencent IM's group messages: the class markers. A group message is not idempotent by
 * itself, so each is sent once (see ImRest); the caller may try again later with the same
 * message, whose same `Random` IM then keeps as one (IM treats the same Random within five
 * minutes as the same message).
 */

export { ImError, type ImOutcome } from "./im-rest";
export type ImClientOptions = ImRestOptions;

/** Class markers posted into the class's group (protocol.md §7.1). */
export const ClassMarker = { start: 1001, end: 1002, memberEntered: 1003, recordingFinished: 1004 } as const;
export type ClassMarkerType = (typeof ClassMarker)[keyof typeof ClassMarker];

/** A group message ready to send: its Random and its custom element's Data. */
export interface GroupCustomMessage {
  random: number;
  data: string;
}

/** A class marker as IM carries it: Data `{type, seq, timestamp, value}` (keys in this order), a fresh Random. */
export function classMarkerMessage(marker: { type: ClassMarkerType; timestamp: number; value: Record<string, unknown> }): GroupCustomMessage {
  const data = JSON.stringify({ type: marker.type, seq: randomInt(10000, 100000001), timestamp: marker.timestamp, value: marker.value });
  return { random: randomInt(0, 4294967296), data };
}

/** A group message as IM's history gives it. */
export interface GroupHistoryMessage {
  msgSeq: number;
  fromAccount: string;
  /** Unix seconds. */
  msgTime: number;
  /** The elements as IM keeps them ({MsgType, MsgContent}). */
  msgBody: Array<{ MsgType: string; MsgContent: Record<string, unknown> }>;
}

/** IM gives at most 20 messages of history per call. */
const HISTORY_PAGE = 20;

export class ImClient {
  private readonly rest: ImRest;

  constructor(options: ImClientOptions) {
    this.rest = new ImRest(options);
  }

  /** Closes the kept connections. */
  close(): void {
    this.rest.close();
  }

  /** Posts a custom group message and returns the group MsgSeq IM assigned. */
  async sendGroupCustomMessage(app: SdkApp, groupId: string, message: GroupCustomMessage): Promise<number> {
    const body = {
      GroupId: groupId,
      From_Account: app.admin,
      Random: message.random,
      MsgBody: [{ MsgType: "TIMCustomElem", MsgContent: { Data: message.data } }],
    };
    const reply = await this.rest.call(app, "group_open_http_svc/send_group_msg", body);
    const seq = reply.MsgSeq;
    if (typeof seq !== "number" || !Number.isInteger(seq)) throw new ImError("send_group_msg: no MsgSeq in reply", "unknown");
    return seq;
  }

  /**
   * A group's messages from `fromSeq` to `toSeq`, oldest first (group_msg_get_simple, pulled
   * backwards 20 at a time, as IM gives them), at most `limit`. Placeholders of expired or deleted
   * messages (IsPlaceMsg) are left out. Throws ImError.
   */
  async groupHistory(app: SdkApp, groupId: string, fromSeq: number, toSeq: number, limit: number): Promise<GroupHistoryMessage[]> {
    const messages: GroupHistoryMessage[] = [];
    let next = toSeq;
    while (next >= fromSeq && messages.length < limit) {
      const reply = await this.rest.call(app, "group_open_http_svc/group_msg_get_simple", { GroupId: groupId, ReqMsgSeq: next, ReqMsgNumber: HISTORY_PAGE });
      const page = Array.isArray(reply.RspMsgList) ? (reply.RspMsgList as Array<Record<string, unknown>>) : [];
      for (const m of page) {
        if (typeof m.MsgSeq !== "number" || m.MsgSeq < fromSeq || m.MsgSeq > next || m.IsPlaceMsg === 1) continue;
        messages.push({ msgSeq: m.MsgSeq, fromAccount: typeof m.From_Account === "string" ? m.From_Account : "", msgTime: Number(m.MsgTimeStamp ?? 0), msgBody: Array.isArray(m.MsgBody) ? (m.MsgBody as GroupHistoryMessage["msgBody"]) : [] });
      }
      const lowest = Math.min(...page.map((m) => (typeof m.MsgSeq === "number" ? m.MsgSeq : next)));
      if (page.length === 0 || reply.IsFinished === 1 || lowest > next) break;
      next = lowest - 1;
    }
    return messages.sort((a, b) => a.msgSeq - b.msgSeq).slice(-limit);
  }

  /** Ends a user's IM login: every userSig it holds stops working (im_open_login_svc/kick). Throws ImError. */
  async kick(app: SdkApp, userId: string): Promise<void> {
    await this.rest.call(app, "im_open_login_svc/kick", { UserID: userId });
  }
}
