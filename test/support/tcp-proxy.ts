import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy inside the test, between the server and PostgreSQL or Redis, so that a test
 * can cut or stall the server's connections without touching the shared services.
 * cut(): every connection is dropped and new ones are refused until restore().
 * stall(): nothing flows (connections stay open, bytes wait, in order) until restore().
 * heldForTarget(): what the clients sent since the stall, still waiting to reach the target.
 */
export interface TcpProxy {
  port: number;
  /** `url` with its port replaced by the proxy's. */
  via(url: string): string;
  cut(): void;
  stall(): void;
  heldForTarget(): string;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<TcpProxy> {
  let mode: "ok" | "cut" | "stalled" = "ok";
  const pairs = new Set<[Socket, Socket]>();
  const held: Socket[] = [];

  // Bytes that arrive while stalled wait here, in order, until restore().
  const waiting: Array<() => void> = [];
  const waitingForTarget: Buffer[] = [];
  const relay = (from: Socket, to: Socket, towardTarget: boolean) =>
    from.on("data", (chunk: Buffer) => {
      if (mode === "stalled") {
        waiting.push(() => to.write(chunk));
        if (towardTarget) waitingForTarget.push(chunk);
      } else to.write(chunk);
    });

  const forward = (client: Socket) => {
    const upstream = connect(targetPort, targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    relay(client, upstream, true);
    relay(upstream, client, false);
  };

  const server: Server = createServer((client) => {
    if (mode === "cut") return client.destroy();
    if (mode === "stalled") {
      client.pause(); // its first bytes wait in the socket until restore()
      held.push(client);
      return;
    }
    forward(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    via: (url) => {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    cut() {
      mode = "cut";
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    stall() {
      mode = "stalled";
    },
    heldForTarget: () => Buffer.concat(waitingForTarget).toString("latin1"),
    restore() {
      mode = "ok";
      waitingForTarget.length = 0;
      for (const write of waiting.splice(0)) write();
      for (const client of held.splice(0)) {
        forward(client);
        client.resume();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        for (const client of held) client.destroy();
        server.close(() => resolve());
      }),
  };
}
