import type { Context } from "koa";

/** The most frequent answer (every heartbeat), serialized once. */
const SUCCESS_WITHOUT_DATA = JSON.stringify({ errorCode: 0, errorInfo: "" });

/** The app protocol's answer text: keys in the order errorCode, errorInfo, data (only with data). */
export function envelopeText(errorCode: number, errorInfo: string, data?: object): string {
  if (data !== undefined) return JSON.stringify({ errorCode, errorInfo, data });
  return errorCode === 0 && errorInfo === "" ? SUCCESS_WITHOUT_DATA : JSON.stringify({ errorCode, errorInfo });
}

/** The protocol's answers are exactly "application/json", no charset, as the original's (ctx.type would add one). */
export const PROTOCOL_CONTENT_TYPE = "application/json";

/** The app protocol's answer through Koa: HTTP 200 unless said. */
export function sendEnvelope(ctx: Context, errorCode: number, errorInfo: string, data?: object, status = 200): void {
  ctx.status = status;
  ctx.body = envelopeText(errorCode, errorInfo, data);
  ctx.set("Content-Type", PROTOCOL_CONTENT_TYPE);
}
