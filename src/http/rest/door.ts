import Router from "@koa/router";
import { z } from "zod";
import bodyParser from "koa-bodyparser";
import type { Context } from "koa";
import { authenticateOptionsOf, checkTimeStamp, resolveApp } from "../../commands/common";
import { type AnyCommand, restRoutesOf } from "../../commands/command";
import { execute, type Invocation, NO_QUERY, queryStrings } from "../../commands/execute";
import { restCommands } from "../../commands/registry";
import { inputOf, REST_PREFIX, type RestMapping, type RestRequestParts } from "../../commands/rest-mapping";
import type { OperatorSession } from "../../services/operators";
import type { Config } from "../../config";
import { AppError, ErrorCode, Errors } from "../../errors";
import type { Services } from "../../services";
import { imTimestampNow, type SessionUser } from "../../services/domain";
import { callbackAnswer, type CallbackEnvelope, type CallbackOutcome } from "../callback-answers";
import { noteRefusal, type RequestState } from "../request-context";
import { clientAddress } from "../client-address";
import { httpStatusOf, STATUS_OF_KIND } from "./status";
import { toCsv } from "./csv";

/**
 * The REST door: JSON bodies, `Authorization: Bearer <token>`, HTTP statuses, and the
 * protocol's error code and text in the body of every error. Its routes are the `rest`
 * mappings of the registry's commands: both doors share validation, policies, rules
 * and presenters.
 */

export interface RestDeps {
  config: Config;
  services: Services;
}

interface RestState extends RequestState {
  bodyError?: AppError;
}

function bearerOf(ctx: Context): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"));
  return match?.[1];
}

const statusOfKind: Partial<Record<AppError["kind"], number>> = STATUS_OF_KIND;

function sendError(ctx: Context, error: AppError): void {
  ctx.status = statusOfKind[error.kind] ?? httpStatusOf(error.code);
  if (error.kind === "rateLimited") ctx.set("Retry-After", String((error.data as { retryAfter: number }).retryAfter));
  ctx.body = error.data === undefined ? { errorCode: error.code, errorInfo: error.info } : { errorCode: error.code, errorInfo: error.info, data: error.data };
}

function requestPartsOf(ctx: Context, trustProxy: boolean): RestRequestParts {
  const rawBody: unknown = (ctx.request as { body?: unknown }).body;
  const body = rawBody && typeof rawBody === "object" && !Array.isArray(rawBody) ? (rawBody as Record<string, unknown>) : {};
  return { params: ctx.params as Record<string, string>, query: ctx.query, body, bearer: bearerOf(ctx), address: () => clientAddress(ctx.req, trustProxy) };
}

/** The caller behind the bearer, when the route needs a session. */
async function sessionOf(deps: RestDeps, command: AnyCommand, route: RestMapping, bearer: string | undefined): Promise<SessionUser | undefined> {
  if (!(route.session ?? command.auth === "token")) return undefined;
  if (!bearer) throw Errors.lackOfToken();
  return deps.services.sessions.authenticate(bearer, undefined, authenticateOptionsOf(command));
}

/**
 * A console request: the operator behind the session cookie (none only for the login), the
 * CSRF token on every change, and the app it names, if any (the access policy checks it is
 * the operator's). A bearer token is not read here, nor the cookie by any other route.
 */
async function consoleInvocationOf(deps: RestDeps, route: RestMapping, request: RestRequestParts, consoleParts: ConsoleRequestParts): Promise<Invocation> {
  const { operators, apps } = deps.services;
  const operator = route.consoleSession === "open" ? undefined : await operators.authenticate(consoleParts.sessionId);
  if (operator && route.method !== "get") operators.checkCsrf(operator, consoleParts.csrf);
  const appid = request.body.appid ?? request.query.appid;
  const app = appid === undefined ? undefined : resolveApp(apps, appid, "Cmd");
  return { app, timeStamp: undefined, user: undefined, operator, fields: inputOf(route, request), query: NO_QUERY, address: request.address };
}

/** The caller as the command's `auth` asks (REST: the session's app, or `appid` of the body or query). */
async function invocationOf(deps: RestDeps, command: AnyCommand, route: RestMapping, request: RestRequestParts, consoleParts: ConsoleRequestParts): Promise<Invocation> {
  const fieldsOf = () => inputOf(route, request);
  const { address } = request;
  if (command.auth === "console") return consoleInvocationOf(deps, route, request, consoleParts);
  if (command.auth === "signed") return { app: undefined, timeStamp: undefined, user: undefined, fields: fieldsOf(), query: queryStrings(request.query), address };
  const user = await sessionOf(deps, command, route, request.bearer);
  const { body, query } = request;
  const app = user ? resolveApp(deps.services.apps, user.appid, "TokenCmd") : resolveApp(deps.services.apps, body.appid ?? query.appid, "Cmd");
  const timeStamp = body.timeStamp === undefined ? imTimestampNow() : checkTimeStamp(body.timeStamp);
  return { app, timeStamp, user: command.auth === "token" ? user : undefined, fields: fieldsOf(), query: NO_QUERY, address };
}

/** Tencent's callbacks answer in Tencent's shapes here too (a body that is not JSON excepted). */
function sendCallbackAnswer(ctx: Context, envelope: CallbackEnvelope, outcome: CallbackOutcome): void {
  const { status, body } = callbackAnswer(envelope, outcome);
  ctx.status = status;
  ctx.body = body;
}

async function handle(deps: RestDeps, command: AnyCommand, route: RestMapping, ctx: Context): Promise<void> {
  const state = ctx.state as RestState;
  state.dialect = "rest";
  state.command = command.name;
  state.quiet = command.hotPath?.quietLog === true;
  const envelope = command.envelope ?? "standard";
  const request = requestPartsOf(ctx, deps.config.trustProxy);
  const consoleParts: ConsoleRequestParts = { sessionId: ctx.cookies.get(CONSOLE_COOKIE), csrf: ctx.get("x-csrf-token") || undefined };
  try {
    if (state.bodyError) throw state.bodyError;
    const invocation = await invocationOf(deps, command, route, request, consoleParts);
    if (route.consoleSession === "open") invocation.onResult = (result) => setConsoleCookie(ctx, (result as { session: OperatorSession }).session.sessionId);
    const data = await execute(command, deps.services, invocation);
    if (route.consoleSession === "close") setConsoleCookie(ctx, undefined);
    if (invocation.operator) state.operator = invocation.operator.uid;
    if (envelope !== "standard") return sendCallbackAnswer(ctx, envelope, { data });
    ctx.status = route.status ?? 200;
    if (route.csv) return sendCsv(ctx, command, route.csv, data);
    if (ctx.status !== 204) ctx.body = data ?? {};
  } catch (error) {
    if (envelope !== "standard" && error !== state.bodyError) {
      if (error instanceof AppError) noteRefusal(state, error);
      else [state.failure, state.errorCode] = [error, ErrorCode.server];
      return sendCallbackAnswer(ctx, envelope, error instanceof AppError ? { error } : { failure: error });
    }
    if (!(error instanceof AppError)) throw error;
    noteRefusal(state, error);
    sendError(ctx, error);
  }
}

/** The columns of a CSV download: the keys of its rows in the command's output shape, in order. */
function csvColumnsOf(command: AnyCommand, rows: string): string[] {
  const list: unknown = (command.output as z.ZodObject | undefined)?.shape[rows];
  const row = list instanceof z.ZodArray ? list.element : undefined;
  if (!(row instanceof z.ZodObject)) throw new Error(`${command.name}: its output has no list of rows "${rows}" for its CSV route`);
  return Object.keys(row.shape);
}

/** A list of the presented data as a CSV download. */
function sendCsv(ctx: Context, command: AnyCommand, csv: NonNullable<RestMapping["csv"]>, data: object | undefined): void {
  const rows = ((data as Record<string, unknown> | undefined)?.[csv.rows] ?? []) as Array<Record<string, unknown>>;
  ctx.type = "text/csv; charset=utf-8";
  ctx.set("Content-Disposition", `attachment; filename="${csv.filename}"`);
  ctx.body = toCsv(rows, csvColumnsOf(command, csv.rows));
}

/** The console's session cookie: sent only to the console's routes, never readable by scripts, never sent cross-site. */
export const CONSOLE_COOKIE = "sxb_console";
const CONSOLE_COOKIE_PATH = `${REST_PREFIX}/console`;

interface ConsoleRequestParts {
  sessionId: string | undefined;
  csrf: string | undefined;
}

/** Sets (or, with none, clears) the console's session cookie; Secure whenever the request came over TLS (behind a trusted proxy: as it says). */
function setConsoleCookie(ctx: Context, sessionId: string | undefined): void {
  ctx.cookies.set(CONSOLE_COOKIE, sessionId ?? "", {
    httpOnly: true,
    sameSite: "strict",
    secure: ctx.secure,
    path: CONSOLE_COOKIE_PATH,
    overwrite: true,
    ...(sessionId === undefined ? { expires: new Date(0) } : {}),
  });
}

/** JSON body parsing for REST; a malformed body answers 400 with 10002. */
function restBodyParser(limitBytes: number) {
  return bodyParser({
    enableTypes: ["json"],
    jsonLimit: `${limitBytes}b`,
    strict: true,
    onerror: (error, ctx) => {
      // Answered by the route, in the door's error shape.
      (ctx.state as RestState).bodyError = (error as { type?: string }).type === "entity.too.large" ? Errors.bodyTooLarge() : Errors.requestJson();
    },
  });
}

/** The REST router: every command's REST routes, under `prefix`. */
export function restRouter(deps: RestDeps, prefix: string): Router {
  // Strict: one path per operation, the one the OpenAPI document names ("/rooms/" is not "/rooms").
  const router = new Router({ prefix, strict: true });
  router.use(restBodyParser(deps.config.bodyLimitBytes));
  for (const command of restCommands()) {
    for (const route of restRoutesOf(command)) router[route.method](route.path, (ctx) => handle(deps, command, route, ctx));
  }
  return router;
}
