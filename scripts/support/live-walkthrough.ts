import { type Answer, type Step, WalkthroughError } from "./walkthrough";

/**
 * The walkthrough of a 随心播 live show (`npm run demo -- live`), in the live dialect at
 * /sxb/index.php, as the apps call it: the host (an Android-style client: no appid) logs
 * in, creates a room, reports it and beats; a viewer (a PC-style client: appid as a string,
 * roomnum as a string) lists the rooms, joins, beats, asks for the mic, goes on it and off,
 * and leaves; the stream list and the room's play URLs; the host closes the room; with
 * the emulator, the host's recorded stream is announced by Tencent's callback and the record
 * list shows it. test/launch.test.ts runs the same steps.
 */

export interface LiveWalkthroughResult {
  roomnum: number;
  steps: Step[];
  /** The record list's entry of the show's recording, when one was simulated. */
  record?: Record<string, unknown>;
}

export interface LiveWalkthroughOptions {
  /** The Tencent emulator: it announces the host's recorded stream, as Tencent does once a recorded push ends. */
  emulator?: { url: string; sdkAppId: number };
  /** How long to wait for that recording at most. */
  recordWithinMs?: number;
}

export async function liveWalkthrough(baseUrl: string, onStep: (step: Step) => void = () => undefined, options: LiveWalkthroughOptions = {}): Promise<LiveWalkthroughResult> {
  const steps: Step[] = [];
  const suffix = Date.now().toString(36);
  const ask = async (svc: string, cmd: string, body: Record<string, unknown>): Promise<Answer> => {
    const response = await fetch(`${baseUrl}/sxb/index.php?svc=${svc}&cmd=${cmd}`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: JSON.stringify(body, null, 2) });
    return (await response.json()) as Answer;
  };
  const call = async (title: string, svc: string, cmd: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const answer = await ask(svc, cmd, body);
    const step = { title, request: `${svc}.${cmd}`, answer };
    steps.push(step);
    onStep(step);
    if (answer.errorCode !== 0) throw new WalkthroughError(`${title}: ${svc}.${cmd} answered ${answer.errorCode} ${answer.errorInfo}`);
    return answer.data && !Array.isArray(answer.data) ? answer.data : {};
  };

  const hostId = `sxb-host-${suffix}`;
  const viewerId = `sxb-viewer-${suffix}`;
  const pwd = "ZGVtby1wYXNzd29yZA==";
  await call("the host registers", "account", "regist", { id: hostId, pwd });
  const host = (await call("the host logs in (no appid, as the Android app)", "account", "login", { id: hostId, pwd })).token as string;
  await call("a viewer registers", "account", "regist", { id: viewerId, pwd });
  const viewer = (await call("the viewer logs in (appid as a string, as the PC app)", "account", "login", { id: viewerId, pwd, appid: String(options.emulator?.sdkAppId ?? "") })).token as string;
  const { roomnum } = (await call("the host creates a live room", "live", "create", { token: host, type: "live" })) as { roomnum: number };
  await call("…reports it (title, chat group, device, video type, location)", "live", "reportroom", {
    token: host,
    room: { title: "Evening show", roomnum, type: "live", groupid: String(roomnum), cover: "", appid: options.emulator?.sdkAppId ?? 0, device: 1, videotype: 0 },
    lbs: { longitude: 113.94, latitude: 22.54, address: "Shenzhen" },
  });
  await call("the host beats (role 1, 3 thumbs up)", "live", "heartbeat", { token: host, roomnum, role: 1, thumbup: 3 });
  const rooms = await call("the viewer lists the live rooms", "live", "roomlist", { token: viewer, type: "live", index: 0, size: 20 });
  if (!(rooms.rooms as Array<{ info: { roomnum: number } }>).some((r) => r.info.roomnum === roomnum)) throw new WalkthroughError(`roomlist: room ${roomnum} is not listed`);
  await call("the viewer joins (roomnum as a string)", "live", "reportmemid", { token: viewer, id: viewerId, roomnum: String(roomnum), role: 0, operate: 0 });
  await call("the viewer beats (role 0)", "live", "heartbeat", { token: viewer, roomnum, role: 0 });
  await call("…asks to go on mic", "live", "request", { token: viewer, roomnum });
  await call("…is on mic", "live", "reportstatus", { token: viewer, roomnum, status: "on" });
  await call("…beats as a co-host (role 2)", "live", "heartbeat", { token: viewer, roomnum, role: 2 });
  const members = await call("who is in the room", "live", "roomidlist", { token: host, roomnum, index: 0, size: 40 });
  if (!(members.idlist as Array<{ id: string; role: number }>).some((m) => m.id === viewerId && m.role === 2)) throw new WalkthroughError(`roomidlist: expected the viewer as co-host, got ${JSON.stringify(members)}`);
  await call("…goes off mic", "live", "reportstatus", { token: viewer, roomnum, status: "off" });
  await call("the bypass-live stream list (RTMP, FLV, HLS)", "live", "livestreamlist", { token: viewer, index: 0, size: 10 });
  await call("the room's play URLs", "live", "getroomplayurl", { token: viewer, roomnum });
  await call("the viewer leaves", "live", "reportmemid", { token: viewer, id: viewerId, roomnum, role: 0, operate: 1 });
  await call("the host closes the room", "live", "exitroom", { token: host, roomnum, type: "live" });
  const result: LiveWalkthroughResult = { roomnum, steps };
  if (!options.emulator) return result;

  // The host's push was recorded: Tencent announces the file (live.callback), the record list shows it.
  const nowS = Math.floor(Date.now() / 1000);
  await fetch(`${options.emulator.url}/__simulate/recording`, {
    method: "POST",
    body: JSON.stringify({ sdkAppId: options.emulator.sdkAppId, groupId: String(roomnum), uid: hostId, startS: nowS - 60, endS: nowS, live: true }),
  });
  const recorded = async () => ((await ask("live", "recordlist", { token: viewer, type: 0, index: 1, size: 10, s_uid: hostId })).data?.videos as unknown[] | undefined) ?? [];
  for (const giveUpAt = Date.now() + (options.recordWithinMs ?? 10000); (await recorded()).length === 0; await new Promise((r) => setTimeout(r, 250))) {
    if (Date.now() > giveUpAt) throw new WalkthroughError("the show's recording did not arrive");
  }
  const records = await call("Tencent announced the show's recording: the record list shows it", "live", "recordlist", { token: viewer, type: 0, index: 1, size: 10, s_uid: hostId });
  return { ...result, record: (records.videos as Array<Record<string, unknown>>)[0] };
}
