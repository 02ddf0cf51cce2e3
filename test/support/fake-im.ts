import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyUserSigV2 } from "./usersig-verify";

/**
 * A fake Tencent IM REST server on 127.0.0.1. It checks each request the way IM
 * would (query parameters, the admin userSig recomputed independently, body shape),
 * records it, and answers increasing MsgSeq values per group.
 */

export interface RecordedMessage {
  groupId: string;
  fromAccount: string;
  random: number;
  data: { type: number; seq: number; timestamp: number; value: Record<string, unknown> };
  msgSeq: number;
}

export type FakeImMode = "ok" | "error" | "down" | "garbage";

export interface FakeIm {
  url: string;
  mode: FakeImMode;
  /** Valid send_group_msg requests answered with a MsgSeq. */
  messages: RecordedMessage[];
  /** Requests rejected for a bad format or signature (should stay empty). */
  rejected: string[];
  /** Delay before answering, ms. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startFakeIm(apps: Array<{ sdkAppId: number; secretKey: string; admin: string }>): Promise<FakeIm> {
  const nextSeq = new Map<string, number>();
  const state: FakeIm = {
    url: "",
    mode: "ok",
    messages: [],
    rejected: [],
    delayMs: 0,
    close: async () => undefined,
  };

  const reject = (res: ServerResponse, why: string) => {
    state.rejected.push(why);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ActionStatus: "FAIL", ErrorCode: 70001, ErrorInfo: why }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    if (state.delayMs > 0) await new Promise((r) => setTimeout(r, state.delayMs));
    if (state.mode === "down") {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? "/", "http://fake");
    if (req.method !== "POST") return reject(res, `method ${req.method}`);
    if (url.pathname !== "/v4/group_open_http_svc/send_group_msg") return reject(res, `path ${url.pathname}`);
    const q = url.searchParams;
    const app = apps.find((a) => String(a.sdkAppId) === q.get("sdkappid"));
    if (!app) return reject(res, `sdkappid ${q.get("sdkappid")}`);
    if (q.get("identifier") !== app.admin) return reject(res, `identifier ${q.get("identifier")}`);
    if (q.get("contenttype") !== "json") return reject(res, "contenttype");
    const random = Number(q.get("random"));
    if (!/^\d+$/.test(q.get("random") ?? "") || random > 4294967295) return reject(res, "random");
    const sig = verifyUserSigV2(q.get("usersig") ?? "", app.secretKey);
    if (!sig.ok || sig.doc["TLS.identifier"] !== app.admin || sig.doc["TLS.sdkappid"] !== app.sdkAppId) return reject(res, "usersig");
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return reject(res, "body not JSON");
    }
    const msgBody = payload.MsgBody as Array<{ MsgType: string; MsgContent: { Data: string } }> | undefined;
    if (typeof payload.GroupId !== "string" || payload.From_Account !== app.admin || typeof payload.Random !== "number") {
      return reject(res, "body fields");
    }
    if (!Array.isArray(msgBody) || msgBody.length !== 1 || msgBody[0]!.MsgType !== "TIMCustomElem") return reject(res, "MsgBody");
    const data = JSON.parse(msgBody[0]!.MsgContent.Data) as RecordedMessage["data"];
    if (Object.keys(data).join(",") !== "type,seq,timestamp,value") return reject(res, "Data keys");
    if (state.mode === "error") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ActionStatus: "FAIL", ErrorCode: 10010, ErrorInfo: "group not found" }));
      return;
    }
    if (state.mode === "garbage") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>oops</html>");
      return;
    }
    const groupId = payload.GroupId;
    const msgSeq = (nextSeq.get(groupId) ?? 100) + 1;
    nextSeq.set(groupId, msgSeq);
    state.messages.push({ groupId, fromAccount: app.admin, random: payload.Random, data, msgSeq });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "", MsgTime: Math.floor(Date.now() / 1000), MsgSeq: msgSeq }));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((e: unknown) => reject(res, String(e)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}
