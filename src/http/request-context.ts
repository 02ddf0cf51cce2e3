import { randomBytes } from "node:crypto";
import type { Context, Next } from "koa";
import { type AppError, Errors } from "../errors";
import type { Logger } from "../logger";
import type { Metrics, RequestDialect } from "../metrics/metrics";
import { inRequest } from "../tracing/request-scope";
import { sendEnvelope } from "./protocol/envelope";

/** Per-request facts the doors fill in for the access log. */
export interface RequestState {
  requestId: string;
  /** Where the request was spoken (unset: neither a protocol nor REST: health, metrics, unknown paths). */
  dialect?: RequestDialect;
  command?: string;
  errorCode?: number;
  /** The refusal's text: logged (a Tencent callback's answer carries only its code). */
  errorInfo?: string;
  /** An unexpected failure: logged with the request id, never sent to the client. */
  failure?: unknown;
  /** Hot-path requests log at debug only. */
  quiet?: boolean;
  /** The console operator who made it (logged: whose action it was). */
  operator?: string;
}

/** What the access log says of a refused request. */
export function noteRefusal(state: RequestState, error: AppError): void {
  state.errorCode = error.code;
  state.errorInfo = error.info;
}

/** Request ids: this instance's random prefix and a counter (unique, and cheap on the hot path). */
const INSTANCE_ID = randomBytes(6).toString("hex");
let requestCounter = 0;

/** The request's id: the caller's X-Request-Id when it is a sane one, else a new one. */
export function requestIdOf(incoming: string | undefined): string {
  return incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : `${INSTANCE_ID}-${(requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER)}`;
}

/** The one access-log line of a request (never its body), and its metrics; an unexpected failure is logged as an error with it. */
export function logRequest(access: RequestAccess, state: RequestState, request: { method: string; path: string; status: number; startedNs: bigint }): void {
  const { log, metrics } = access;
  const ms = Number(process.hrtime.bigint() - request.startedNs) / 1e6;
  metrics.request(state.dialect ?? "other", state.command ?? "none", state.errorCode ?? 0, ms / 1000);
  const level = state.failure !== undefined ? "error" : state.quiet ? "debug" : "info";
  if (!log.isLevelEnabled(level)) return;
  const line = {
    requestId: state.requestId,
    method: request.method,
    path: request.path,
    command: state.command,
    status: request.status,
    errorCode: state.errorCode ?? 0,
    ...(state.operator !== undefined ? { operator: state.operator } : {}),
    ...(state.errorInfo !== undefined ? { errorInfo: state.errorInfo } : {}),
    ms,
  };
  if (state.failure !== undefined) log.error({ ...line, err: state.failure }, "request failed");
  else log[level](line, "request");
}

/** Where each request is told of: the access log and the metrics. */
export interface RequestAccess {
  log: Logger;
  metrics: Metrics;
}

/** Request id, one structured log line per request (never bodies) and its metrics, last-resort error answer. */
export function requestContext(access: RequestAccess) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const startedNs = process.hrtime.bigint();
    const state = ctx.state as RequestState;
    state.requestId = requestIdOf(ctx.get("x-request-id"));
    ctx.set("X-Request-Id", state.requestId);
    try {
      await inRequest(state.requestId, next);
    } catch (error) {
      state.failure = error;
      state.errorCode = Errors.server().code;
      sendEnvelope(ctx, Errors.server().code, Errors.server().info, undefined, 500);
    }
    logRequest(access, state, { method: ctx.method, path: ctx.path, status: ctx.status, startedNs });
  };
}
