import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type EmulatedApp, type EmulatorReply, ImEmulator, type ReceivedGroupMessage } from "./im";

/**
 * One emulator of every Tencent service the server calls, for tests, benchmarks and
 * development (`npm start` without IM_BASE_URL). It checks each request as Tencent
 * would, answers in Tencent's shapes, keeps what it received, and shows it read-only
 * under /__tencent/. It shares no code with the server: it is Tencent's side.
 * Services: IM REST (group messages). Later issues add theirs here.
 */

export type { EmulatedApp, ImMode, ReceivedGroupMessage, RejectedRequest } from "./im";

export interface TencentEmulatorOptions {
  apps: readonly EmulatedApp[];
  host?: string;
  /** 0: any free port. */
  port?: number;
}

export interface TencentEmulator {
  /** Base URL of every emulated service (what IM_BASE_URL and the other base URLs point at). */
  url: string;
  im: ImEmulator;
  /** Delay before every answer, ms (a slow Tencent). */
  delayMs: number;
  close(): Promise<void>;
}

const VIEW_PREFIX = "/__tencent";

/** A message as the read-only view shows it: custom Data decoded when it is JSON. */
function viewOf(message: ReceivedGroupMessage) {
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
function view(im: ImEmulator, path: string): EmulatorReply | undefined {
  if (path === `${VIEW_PREFIX}/im/groups` || path === `${VIEW_PREFIX}/` || path === VIEW_PREFIX) {
    return { kind: "json", body: { groups: im.groupIds().map((groupId) => ({ groupId, messages: im.messagesOf(groupId).length })) } };
  }
  const match = new RegExp(`^${VIEW_PREFIX}/im/groups/([^/]+)/messages$`).exec(path);
  if (!match) return undefined;
  return { kind: "json", body: { groupId: decodeURIComponent(match[1]!), messages: im.messagesOf(decodeURIComponent(match[1]!)).map(viewOf) } };
}

function send(res: ServerResponse, reply: EmulatorReply, status = 200): void {
  if (reply.kind === "drop") {
    res.socket?.destroy();
    return;
  }
  const [contentType, body] = reply.kind === "json" ? ["application/json", JSON.stringify(reply.body)] : [reply.contentType, reply.body];
  res.writeHead(status, { "content-type": contentType });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.once("error", reject);
  });
}

export async function startTencentEmulator(options: TencentEmulatorOptions): Promise<TencentEmulator> {
  const im = new ImEmulator(options.apps);
  const emulator: TencentEmulator = { url: "", im, delayMs: 0, close: () => Promise.resolve() };

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://emulator");
    if (req.method === "GET" && url.pathname.startsWith(VIEW_PREFIX)) {
      const shown = view(im, url.pathname);
      return send(res, shown ?? { kind: "json", body: { error: "not found" } }, shown ? 200 : 404);
    }
    if (emulator.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, emulator.delayMs));
    if (im.handles(url.pathname)) return send(res, im.handle(req.method ?? "GET", url, body));
    send(res, { kind: "json", body: { error: `no emulated Tencent service at ${url.pathname}` } }, 404);
  };

  const server: Server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => send(res, { kind: "json", body: { error: String(error) } }, 500));
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
