import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CosEmulator } from "./cos";
import type { EmulatedCloud, EmulatedRequest, EmulatorReply } from "./http";
import { type EmulatedApp, ImEmulator, type ReceivedGroupMessage } from "./im";
import { RecordingSimulator } from "./recorder";
import { ReplayIndexEmulator } from "./replay";
import { VideorelayEmulator } from "./videorelay";
import { ROOM_PRIVILEGE, verifyPrivateMapKey, verifyUserSig } from "./usersig";
import { VodEmulator } from "./vod";
import { SCHOOL_WEBHOOKS_PATH, SchoolReceiver } from "./school";

/**
 * One emulator of every Tencent service the server calls or hands signatures for, for
 * tests, benchmarks and development (`npm start` without IM_BASE_URL). It checks each
 * request as Tencent would, answers in Tencent's shapes, keeps what it received, and
 * shows it read-only under /__tencent/. It shares no code with the server: it is
 * Tencent's side. Services: IM REST (group messages), COS (v5 XML and v4 JSON uploads),
 * VOD API (v3 and v2), the replay index service (and its index-file callback), bypass
 * recording (the recording callback once a class ends), and the ILVB backend API
 * videorelay (server-side recording and relay push). A request may also come through
 * it as an HTTP proxy (absolute URL): the host it names decides the service, as
 * Tencent's hosts would.
 */

export type { EmulatedApp, ImMode, ReceivedGroupMessage, RejectedRequest } from "./im";
export type { EmulatedCloud } from "./http";
export type { EmulatedMedia } from "./vod";
export type { RecordingDelivery, RecordingTarget, SimulatedRecording } from "./recorder";
export type { IndexCallbackDelivery, ReplayIndexMode, ReplayIndexRequestReceived } from "./replay";
export { INDEX_FILE_CALLBACK_COMMAND, INDEX_SERVICE_ERROR } from "./replay";
export type { VideorelayFault, VideorelayRequestReceived } from "./videorelay";
export type { StoredObject } from "./cos";

export interface TencentEmulatorOptions {
  apps: readonly EmulatedApp[];
  cloud: EmulatedCloud;
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** The secret of the development webhook endpoint (the school's receiver at /__school/webhooks); none: it refuses every call. */
  schoolWebhookSecret?: string;
}

export interface TencentEmulator {
  /** Base URL of every emulated service (what IM_BASE_URL and the other base URLs point at). */
  url: string;
  im: ImEmulator;
  cos: CosEmulator;
  vod: VodEmulator;
  replayIndex: ReplayIndexEmulator;
  recorder: RecordingSimulator;
  videorelay: VideorelayEmulator;
  /** The school's webhook receiver (development). */
  school: SchoolReceiver;
  /** Delay before every answer, ms (a slow Tencent). */
  delayMs: number;
  close(): Promise<void>;
}

const VIEW_PREFIX = "/__tencent";
/** The one control that is not Tencent's: what a live app's SDK does when it pushes a recorded stream (the emulator cannot see streams). */
const SIMULATE_RECORDING = "/__simulate/recording";
/** The other: what an app's SDK does when it enters an AV room (it shows its userSig and privilege map key to Tencent). */
const SIMULATE_ENTER_ROOM = "/__simulate/enter-room";

/**
 * POST /__simulate/enter-room {sdkAppId, identifier, userSig, privateMapKey?, roomnum, privilege?: "create" | "enter"}:
 * Tencent's checks of a client entering an AV room: its userSig (valid, and not ended since by IM's kick),
 * then its privilege map key for that room and privilege when it shows one. 200 {ok: true}, or 403
 * {errorCode, errorInfo} (IM's account codes where they exist: 70001, 70003, 70009, 70013; the emulator's
 * own 70004 another room, 70005 a privilege not given, 70006 kicked).
 */
function simulateEnterRoom(emulator: TencentEmulator, apps: readonly EmulatedApp[], body: string): EmulatorReply {
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { kind: "json", status: 400, body: { error: "the body is not JSON" } };
  }
  const { sdkAppId, identifier, userSig, privateMapKey, roomnum } = request;
  const app = apps.find((a) => a.sdkAppId === sdkAppId);
  if (!app || typeof identifier !== "string" || typeof userSig !== "string" || typeof roomnum !== "number") {
    return { kind: "json", status: 400, body: { error: "needs a configured sdkAppId, identifier, userSig, roomnum" } };
  }
  const refused = (errorCode: number, errorInfo: string): EmulatorReply => ({ kind: "json", status: 403, body: { errorCode, errorInfo } });
  const sig = verifyUserSig(userSig, app.secretKey, { identifier, sdkAppId: app.sdkAppId });
  if (!sig.ok) return refused(sig.errorCode, sig.errorInfo);
  if (!emulator.im.acceptsUserSigOf(app.sdkAppId, identifier, sig.time)) return refused(70006, "the user's login was ended (kick): log in again");
  if (privateMapKey !== undefined) {
    if (typeof privateMapKey !== "string") return refused(70003, "privateMapKey is a string");
    const privilege = request.privilege === "create" ? ROOM_PRIVILEGE.create : ROOM_PRIVILEGE.enter;
    const map = verifyPrivateMapKey(privateMapKey, app.secretKey, { identifier, sdkAppId: app.sdkAppId, roomnum, privilege });
    if (!map.ok) return refused(map.errorCode, map.errorInfo);
  }
  return { kind: "json", body: { ok: true } };
}

/** POST /__simulate/recording {sdkAppId?, groupId, uid, startS, endS, live?}: Tencent then announces the file by its recording callback. */
function simulateRecording(emulator: TencentEmulator, apps: readonly EmulatedApp[], body: string): EmulatorReply {
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { kind: "json", status: 400, body: { error: "the body is not JSON" } };
  }
  const app = apps.find((a) => a.sdkAppId === request.sdkAppId) ?? apps[0];
  const { groupId, uid, startS, endS } = request;
  if (!app || typeof groupId !== "string" || typeof uid !== "string" || typeof startS !== "number" || typeof endS !== "number") {
    return { kind: "json", status: 400, body: { error: "needs groupId, uid, startS, endS" } };
  }
  const payload = emulator.recorder.record({ app, groupId, uid, startS, endS, live: request.live === true });
  return { kind: "json", body: { event: payload } };
}

/** A message as the read-only view shows it: custom Data decoded when it is JSON. */
function messageView(message: ReceivedGroupMessage) {
  return {
    msgSeq: message.msgSeq,
    msgTime: message.msgTime,
    fromAccount: message.fromAccount,
    random: message.random,
    msgBody: message.msgBody.map((element) => {
      const data = element.MsgContent.Data;
      if (element.MsgType !== "TIMCustomElem" || typeof data !== "string") return element;
      try {
        return { ...element, decoded: JSON.parse(data) as unknown };
      } catch {
        return element;
      }
    }),
  };
}

/** GET /__tencent/…: what the emulator received, for people (and the demo) to look at. */
function view(emulator: TencentEmulator, path: string): EmulatorReply | undefined {
  const { im, cos, vod } = emulator;
  if (path === `${VIEW_PREFIX}/im/groups` || path === `${VIEW_PREFIX}/` || path === VIEW_PREFIX) {
    return { kind: "json", body: { groups: im.groupIds().map((groupId) => ({ groupId, messages: im.messagesOf(groupId).length })) } };
  }
  if (path === `${VIEW_PREFIX}/cos/objects`) {
    return { kind: "json", body: { objects: [...cos.objects.values()].map(({ body: _body, ...object }) => object) } };
  }
  if (path === `${VIEW_PREFIX}/vod/media`) return { kind: "json", body: { media: [...vod.media.values()] } };
  if (path === `${VIEW_PREFIX}/recordings`) return { kind: "json", body: { deliveries: emulator.recorder.deliveries } };
  if (path === `${VIEW_PREFIX}/videorelay`) return { kind: "json", body: { requests: emulator.videorelay.requests, files: Object.fromEntries(emulator.videorelay.files), running: emulator.videorelay.running() } };
  if (path === `${VIEW_PREFIX}/replay-index`) {
    const { requests, deliveries, files } = emulator.replayIndex;
    return { kind: "json", body: { mode: emulator.replayIndex.mode, requests, callbacks: deliveries, files: [...files.keys()] } };
  }
  const match = new RegExp(`^${VIEW_PREFIX}/im/groups/([^/]+)/messages$`).exec(path);
  if (!match) return undefined;
  const groupId = decodeURIComponent(match[1]!);
  return { kind: "json", body: { groupId, messages: im.messagesOf(groupId).map(messageView) } };
}

function send(res: ServerResponse, reply: EmulatorReply): void {
  if (reply.kind === "drop") {
    res.socket?.destroy();
    return;
  }
  const [contentType, body] = reply.kind === "json" ? ["application/json", JSON.stringify(reply.body)] : [reply.contentType, reply.body];
  res.writeHead(reply.status ?? 200, { "content-type": contentType, ...(reply.kind === "text" ? reply.headers : {}) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

async function requestOf(req: IncomingMessage): Promise<EmulatedRequest> {
  const host = req.headers.host ?? "emulator";
  const url = new URL(req.url ?? "/", `http://${host}`);
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]));
  return { method: req.method ?? "GET", url, hostname: url.hostname, headers, body: await readBody(req) };
}

const notFound = (path: string): EmulatorReply => ({ kind: "json", status: 404, body: { error: `no emulated Tencent service at ${path}` } });

export async function startTencentEmulator(options: TencentEmulatorOptions): Promise<TencentEmulator> {
  const im = new ImEmulator(options.apps);
  const vod = new VodEmulator(options.cloud);
  const recorder = new RecordingSimulator(options.cloud, im, vod);
  const emulator: TencentEmulator = {
    url: "",
    im,
    cos: new CosEmulator(options.cloud),
    vod,
    replayIndex: new ReplayIndexEmulator(options.apps, im, () => emulator.url),
    recorder,
    videorelay: new VideorelayEmulator(options.apps, options.cloud, im, recorder),
    school: new SchoolReceiver(options.schoolWebhookSecret),
    delayMs: 0,
    close: () => Promise.resolve(),
  };

  const answer = async (req: IncomingMessage): Promise<EmulatorReply> => {
    const request = await requestOf(req);
    const path = request.url.pathname;
    if (request.method === "GET" && path.startsWith(VIEW_PREFIX)) return view(emulator, path) ?? notFound(path);
    if (request.method === "POST" && path === SIMULATE_RECORDING) return simulateRecording(emulator, options.apps, request.body.toString("utf8"));
    if (request.method === "POST" && path === SIMULATE_ENTER_ROOM) return simulateEnterRoom(emulator, options.apps, request.body.toString("utf8"));
    if (path === SCHOOL_WEBHOOKS_PATH) return emulator.school.handle(request.method, request.headers, request.body.toString("utf8"));
    if (emulator.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, emulator.delayMs));
    if (emulator.replayIndex.handles(request.method, path)) return emulator.replayIndex.handle(request.method, request.url, request.body.toString("utf8"));
    if (emulator.videorelay.handles(path)) {
      await emulator.videorelay.onArrival?.();
      return emulator.videorelay.handle(request.method, request.url, request.body.toString("utf8"));
    }
    if (emulator.im.handles(path)) return emulator.im.handle(request.method, request.url, request.body.toString("utf8"));
    if (emulator.vod.handles(request)) return emulator.vod.handle(request);
    if (emulator.cos.handles(request)) return emulator.cos.handle(request);
    return notFound(path);
  };

  const server: Server = createServer((req, res) => {
    answer(req).then(
      (reply) => send(res, reply),
      (error: unknown) => send(res, { kind: "json", status: 500, body: { error: String(error) } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  emulator.url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  emulator.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return emulator;
}
