import { createHash } from "node:crypto";

/**
 * Bypass-live (旁路直播) play URLs of a live room (live-protocol.md §A.7): the stream id
 * (直播码) is BIZID + "_" + md5("<roomnum>_<hostUid>_main") for the camera, "_aux" for a
 * shared screen; Tencent's CDN plays it as RTMP, FLV and HLS under <host>/live/.
 */

export interface LivePlayUrls {
  streamId: string;
  rtmp: string;
  flv: string;
  hls: string;
}

export function liveStreamId(bizId: number, roomnum: number, hostUid: string, screen: boolean): string {
  return `${bizId}_${createHash("md5").update(`${roomnum}_${hostUid}_${screen ? "aux" : "main"}`, "utf8").digest("hex")}`;
}

export function livePlayUrls(bizId: number, playHost: string, roomnum: number, hostUid: string, screen: boolean): LivePlayUrls {
  const streamId = liveStreamId(bizId, roomnum, hostUid, screen);
  return {
    streamId,
    rtmp: `rtmp://${playHost}/live/${streamId}`,
    flv: `http://${playHost}/live/${streamId}.flv`,
    hls: `http://${playHost}/live/${streamId}.m3u8`,
  };
}
