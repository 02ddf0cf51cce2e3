import Koa from "koa";

/** The baseline of the heartbeat benchmark: a Koa endpoint that only answers {}. */
const app = new Koa();
app.use((ctx) => {
  ctx.body = {};
});
const port = Number(process.env.PORT ?? 8090);
app.listen(port, "127.0.0.1", () => process.stdout.write(`bare server on ${port}\n`));
