import { createServer } from "node:http";
import Koa from "koa";

/** The baselines of the heartbeat benchmarks: an endpoint that only answers {}, with Koa (BARE unset) or bare node:http (BARE=node). */
const port = Number(process.env.PORT ?? 8090);
const listening = () => process.stdout.write(`bare server on ${port}\n`);
if (process.env.BARE === "node") {
  createServer((req, res) => {
    // Read the body as any server must, then answer.
    req.resume();
    req.once("end", () => {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": "2" });
      res.end("{}");
    });
  }).listen(port, "127.0.0.1", listening);
} else {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = {};
  });
  app.listen(port, "127.0.0.1", listening);
}
