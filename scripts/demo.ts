import { liveWalkthrough } from "./support/live-walkthrough";
import { type Step, walkthrough, WalkthroughError } from "./support/walkthrough";

/**
 * `npm run demo`: the walkthrough of a class against a running server (`npm start`),
 * printing each step. DEMO_URL (default http://127.0.0.1:8080) and DEMO_APPID (default
 * the development app) say where; with the built-in Tencent emulator (TENCENT_EMULATOR_PORT,
 * default 8081) the teacher also uploads courseware to its COS, records the class and relays it to
 * CDN on Tencent's side (videorelay), the demo goes on after the
 * end until the recording has arrived and the class is replayable (DEMO_REPLAY_WITHIN_MS,
 * default 30000), and it prints the class markers IM received. `npm run demo -- live` walks a
 * 随心播 live show instead (the live dialect under /sxb/).
 */
const baseUrl = (process.env.DEMO_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
const appid = Number(process.env.DEMO_APPID ?? 1400000000);
const emulatorUrl = `http://127.0.0.1:${process.env.TENCENT_EMULATOR_PORT ?? 8081}`;

const replayWithinMs = Number(process.env.DEMO_REPLAY_WITHIN_MS ?? 30000);
/** Long answers (lists, the replay index) are cut to this many characters. */
const SHOWN_CHARS = 240;

const SECRETS = new Set(["token", "userSig"]);
let n = 0;
const print = (step: Step) => {
  n += 1;
  // Secrets are shortened: enough to see they are there, not enough to use.
  const shown = step.answer.data === undefined ? undefined : JSON.stringify(step.answer.data, (key, value: unknown) => (SECRETS.has(key) && typeof value === "string" ? `${value.slice(0, 6)}…` : value));
  const data = shown === undefined ? "" : ` ${shown.length > SHOWN_CHARS ? `${shown.slice(0, SHOWN_CHARS)}…` : shown}`;
  console.log(`${String(n).padStart(2)}. ${step.title} — ${step.request} → ${step.answer.errorCode}${data}`);
};

async function showMarkers(roomnum: number): Promise<void> {
  try {
    const response = await fetch(`${emulatorUrl}/__tencent/im/groups/${roomnum}/messages`);
    if (!response.ok) return;
    const { messages } = (await response.json()) as { messages: Array<{ msgSeq: number; msgBody: Array<{ decoded?: { type: number; value: unknown } }> }> };
    console.log(`\nIM group ${roomnum} as the Tencent emulator received it (${emulatorUrl}/__tencent/im/groups/${roomnum}/messages):`);
    for (const m of messages) console.log(`  MsgSeq ${m.msgSeq}: marker ${m.msgBody[0]?.decoded?.type} ${JSON.stringify(m.msgBody[0]?.decoded?.value)}`);
  } catch {
    // Not the built-in emulator (real Tencent, or another port): nothing to show.
  }
}

/** The webhook events the school's receiver (in the emulator, development's default WEBHOOKS) got for the class. */
async function showWebhooks(roomnum: number): Promise<void> {
  const url = `${emulatorUrl}/__school/webhooks`;
  type Received = { events: Array<{ id: string; type: string; roomnum: number | null; data: Record<string, unknown> }> };
  const eventsOf = async () => ((await (await fetch(url)).json()) as Received).events.filter((e) => e.roomnum === roomnum);
  try {
    // Each instance's worker sends every second, and the recordings are called back after the end: wait until nothing new comes for 2 s (10 s at most).
    let events = await eventsOf();
    for (let quietSince = Date.now(), giveUpAt = Date.now() + 10_000; Date.now() - quietSince < 2000 && Date.now() < giveUpAt; ) {
      await new Promise((r) => setTimeout(r, 200));
      const now = await eventsOf();
      if (now.length !== events.length) [events, quietSince] = [now, Date.now()];
    }
    if (events.length === 0) return;
    console.log(`
Webhooks the school's receiver got for class ${roomnum} (${url}, signatures verified with standardwebhooks):`);
    for (const e of events) {
      const who = typeof e.data.uid === "string" ? ` ${e.data.uid}` : "";
      const why = typeof e.data.reason === "string" ? ` (${e.data.reason})` : "";
      const attendance = e.type === "attendance.ready" ? ` ${(e.data.members as Array<{ uid: string; minutes: number }>).map((m) => `${m.uid} ${m.minutes} min`).join(", ")}` : "";
      console.log(`  ${e.type}${who}${why}${attendance}`);
    }
  } catch {
    // Not the built-in emulator, or no receiver: nothing to show.
  }
}

/** `npm run demo -- live`: a 随心播 live show in the live dialect (/sxb/). */
async function live(): Promise<void> {
  console.log(`Walking through a live show against ${baseUrl}/sxb/ (the 随心播 live dialect)\n`);
  const emulated = await fetch(`${emulatorUrl}/__tencent/`).then((r) => r.ok).catch(() => false);
  const result = await liveWalkthrough(baseUrl, print, { emulator: emulated ? { url: emulatorUrl, sdkAppId: appid } : undefined });
  console.log(`\nDone: live room ${result.roomnum} was listed, joined, shared on mic and closed.`);
  if (result.record) console.log(`Its recording: ${JSON.stringify(result.record)}`);
}

async function main(): Promise<void> {
  if (process.argv.includes("live")) return live();
  console.log(`Walking through a class against ${baseUrl} (appid ${appid})\n`);
  const cos = (await fetch(`${emulatorUrl}/__tencent/`).then((r) => r.ok).catch(() => false))
    ? { url: emulatorUrl, tencentAppId: Number(process.env.DEMO_TENCENT_APPID ?? 1250000000) }
    : undefined;
  const result = await walkthrough(baseUrl, appid, print, { cos, replayWithinMs: cos ? replayWithinMs : undefined, relay: cos !== undefined });
  console.log(`\nDone: class ${result.roomnum} ran from IM seq ${result.beginImSeq} to ${result.endImSeq}.`);
  if (result.playback) {
    const { room } = result.playback;
    console.log(`Replayable (state ${room.state}): replay index ${room.playback_idx_url}`);
    for (const video of room.videos) console.log(`  video ${video.video_url} (${video.duration} s, announced at IM seq ${video.imseq})`);
    console.log(`  chat to replay beside it: IM seq ${room.begin_imseq} to ${room.end_imseq} of group ${room.roomnum}`);
  }
  await showMarkers(result.roomnum);
  await showWebhooks(result.roomnum);
}

main().catch((error: unknown) => {
  if (error instanceof WalkthroughError) console.error(`\nStopped: ${error.message}`);
  else console.error(`\nCould not walk through (is the server running? npm start): ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
