import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ImError, ImRest } from "../src/infra/tencent/im-rest";
import { forEachInBatches } from "../src/lib/batches";

/** The HTTP client every Tencent REST call (IM, replay index) goes through, against a local server. */

const APP = { sdkAppId: 1400000001, secretKey: "transport-secret", admin: "administrator" };

interface Local {
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}

async function localServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<Local> {
  let connections = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.once("end", () => answer(req, res));
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const ok = (_req: IncomingMessage, res: ServerResponse) => res.end(JSON.stringify({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "", MsgSeq: 7 }));

async function outcomeOf(call: Promise<unknown>): Promise<Pick<ImError, "outcome" | "imErrorCode" | "imErrorInfo">> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ImError)) throw new Error(`expected an ImError, got ${String(error)}`);
  return { outcome: error.outcome, imErrorCode: error.imErrorCode, imErrorInfo: error.imErrorInfo };
}

describe("Tencent REST transport (ImRest)", () => {
  test("calls reuse one kept connection, and the query carries the app, the admin, a userSig and contenttype=json", async () => {
    const paths: string[] = [];
    const server = await localServer((req, res) => {
      paths.push(req.url!);
      ok(req, res);
    });
    const rest = new ImRest({ baseUrl: server.url, timeoutMs: 2000 });
    try {
      for (let i = 0; i < 5; i++) expect((await rest.call(APP, "group_open_http_svc/send_group_msg", { i })).MsgSeq).toBe(7);
      expect(server.connections()).toBe(1);
      const query = new URL(paths[0]!, server.url);
      expect(query.pathname).toBe("/v4/group_open_http_svc/send_group_msg");
      expect(query.searchParams.get("sdkappid")).toBe(String(APP.sdkAppId));
      expect(query.searchParams.get("identifier")).toBe(APP.admin);
      expect(query.searchParams.get("usersig")).toMatch(/^[A-Za-z0-9*_-]{40,}$/);
      expect(query.searchParams.get("contenttype")).toBe("json");
    } finally {
      rest.close();
      await server.close();
    }
  });

  test("an answered error is 'refused' with Tencent's code and text; no connection is 'refused'; silence and a non-JSON answer are 'unknown'", async () => {
    const refusing = await localServer((_req, res) => res.end(JSON.stringify({ ActionStatus: "FAIL", ErrorCode: 10007, ErrorInfo: "no permission" })));
    const garbled = await localServer((_req, res) => res.end("<html>bad gateway</html>"));
    const silent = await localServer(() => undefined);
    const gone = await localServer(ok);
    await gone.close();
    const clients: ImRest[] = [];
    // The silent server is given up on after 300 ms; the others answer at once, so a busy machine's stall must not time them out.
    const rest = (url: string, timeoutMs = 5000) => clients[clients.push(new ImRest({ baseUrl: url, timeoutMs })) - 1]!;
    try {
      expect(await outcomeOf(rest(refusing.url).call(APP, "x/y", {}))).toEqual({ outcome: "refused", imErrorCode: 10007, imErrorInfo: "no permission" });
      expect((await outcomeOf(rest(gone.url).call(APP, "x/y", {}))).outcome).toBe("refused");
      expect((await outcomeOf(rest(silent.url, 300).call(APP, "x/y", {}))).outcome).toBe("unknown");
      expect((await outcomeOf(rest(garbled.url).call(APP, "x/y", {}))).outcome).toBe("unknown");
    } finally {
      for (const client of clients) client.close();
      await Promise.all([refusing.close(), garbled.close(), silent.close()]);
    }
  });
});

describe("forEachInBatches", () => {
  const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test("never more than `size` in flight, and a slow item holds up only its own slot", async () => {
    let inFlight = 0;
    let most = 0;
    const finished: string[] = [];
    let othersDone!: () => void;
    // The slow item waits for all the others: in batches (waves) they could never finish first.
    const others = new Promise<void>((resolve) => (othersDone = resolve));
    // A fallback that does not outlive the test (a pending timer keeps jest's worker from exiting).
    let fallback: NodeJS.Timeout | undefined;
    const giveUpAfter = (ms: number) => new Promise((resolve) => (fallback = setTimeout(resolve, ms)));
    const items = ["slow", "a", "b", "c", "d", "e"];
    await forEachInBatches(items, 2, async (item) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      if (item === "slow") await Promise.race([others, giveUpAfter(2000)]);
      else await tick(1);
      finished.push(item);
      if (finished.length === items.length - 1 && item !== "slow") othersDone();
      inFlight -= 1;
    });
    clearTimeout(fallback);
    expect(most).toBe(2);
    expect(finished).toEqual(["a", "b", "c", "d", "e", "slow"]);
  });

  test("after a failure no new item is taken, and the failure is what it throws", async () => {
    const started: number[] = [];
    const run = forEachInBatches([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick(5);
      if (n === 2) throw new Error("item 2 failed");
    });
    await expect(run).rejects.toThrow("item 2 failed");
    await tick(50);
    expect(started.length).toBeLessThanOrEqual(3);
  });

  test("nothing to do, or a size below 1, still finishes", async () => {
    await forEachInBatches([], 4, () => Promise.reject(new Error("never called")));
    const seen: number[] = [];
    await forEachInBatches([1, 2], 0, (n) => Promise.resolve(void seen.push(n)));
    expect(seen).toEqual([1, 2]);
  });
});
