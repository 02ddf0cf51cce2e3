import type { Context } from "koa";

/** The most frequent answer (every heartbeat), serialized once. */
const SUCCESS_WITHOUT_DATA = JSON.stringify({ errorCode: 0, errorInfo: "" });

/** The app protocol's answer: HTTP 200, keys in the order errorCode, errorInfo, data (only with data). */
export function sendEnvelope(ctx: Context, errorCode: number, errorInfo: string, data?: object, status = 200): void {
  ctx.status = status;
  ctx.body =
    data === undefined
      ? errorCode === 0 && errorInfo === ""
        ? SUCCESS_WITHOUT_DATA
        : JSON.stringify({ errorCode, errorInfo })
      : JSON.stringify({ errorCode, errorInfo, data });
  // Exactly "application/json", no charset, as the original (ctx.type would add one).
  ctx.set("Content-Type", "application/json");
}
