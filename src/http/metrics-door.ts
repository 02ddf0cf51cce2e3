import { createServer, type Server } from "node:http";
import type { Context } from "koa";
import { METRICS_CONTENT_TYPE, type Metrics } from "../metrics/metrics";

/** Where Prometheus scrapes, on the main port or on METRICS_PORT. */
export const METRICS_PATH = "/metrics";

/** The exposition on the main port (Koa). */
export async function answerMetrics(ctx: Context, metrics: Metrics): Promise<void> {
  ctx.set("Content-Type", METRICS_CONTENT_TYPE);
  ctx.set("Cache-Control", "no-store");
  ctx.body = await metrics.text();
}

/** The exposition on a port of its own (METRICS_PORT): nothing else is served there. */
export async function listenForMetrics(metrics: Metrics, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== METRICS_PATH) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store" }).end(text),
      () => res.writeHead(500, { "Content-Type": "text/plain" }).end("metrics failed\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
