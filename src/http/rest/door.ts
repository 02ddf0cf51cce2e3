import type Router from "@koa/router";
import bodyParser from "koa-bodyparser";
import type { Context } from "koa";
import { checkTimeStamp, resolveApp } from "../../commands/common";
import type { AnyCommand } from "../../commands/command";
import { execute } from "../../commands/execute";
import type { Config } from "../../config";
import { AppError, ErrorCode, Errors, FieldText } from "../../errors";
import type { Services } from "../../services";
import { imTimestampNow } from "../../services/domain";
import { BodyTooLargeError } from "../body";
import type { RequestState } from "../request-context";
import { httpStatusOf } from "./status";

/**
 * The REST door: JSON bodies, `Authorization: Bearer <token>`, HTTP statuses, and the
 * protocol's error code and text in the body of every error. Each route maps onto a
 * command of the registry, so both doors share validation, rules and presenters.
 */

export interface RestRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  bearer: string | undefined;
}

export interface RestRoute {
  method: "get" | "post" | "delete";
  path: string;
  command: AnyCommand;
  /** The command's fields from the request. */
  fields(request: RestRequest): Record<string, unknown>;
  /** Success status (200 unless said; 204 answers no body). */
  status?: 200 | 201 | 204;
  /** Authenticate the bearer even though the command itself takes no token (logout). */
  session?: boolean;
  /** Reshapes the command's data for this route (e.g. one course out of a list). */
  respond?(data: object | undefined, request: RestRequest): object;
}

export interface RestDeps {
  config: Config;
  services: Services;
}

function bearerOf(ctx: Context): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"));
  return match?.[1];
}

interface RestState extends RequestState {
  bodyError?: AppError;
}

function sendError(ctx: Context, error: AppError): void {
  // A missing credential is 401, not a malformed request.
  const unauthenticated = error.code === ErrorCode.requestData && error.info === FieldText.token.lack;
  ctx.status = error instanceof BodyTooLargeError ? 413 : unauthenticated ? 401 : httpStatusOf(error.code);
  ctx.body = { errorCode: error.code, errorInfo: error.info };
}

async function handle(deps: RestDeps, route: RestRoute, ctx: Context): Promise<void> {
  const state = ctx.state as RequestState;
  state.command = route.command.name;
  const rawBody: unknown = (ctx.request as { body?: unknown }).body;
  const body = rawBody && typeof rawBody === "object" && !Array.isArray(rawBody) ? (rawBody as Record<string, unknown>) : {};
  const request: RestRequest = { params: ctx.params as Record<string, string>, query: ctx.query, body, bearer: bearerOf(ctx) };
  try {
    const bodyError = (ctx.state as RestState).bodyError;
    if (bodyError) throw bodyError;
    const needsSession = route.session ?? route.command.auth === "token";
    let user;
    if (needsSession) {
      if (!request.bearer) throw Errors.requestData(FieldText.token.lack);
      user = await deps.services.sessions.authenticate(request.bearer, undefined, { hotPath: route.command.hotPath });
    }
    const app = user ? resolveApp(deps.config, user.appid, "TokenCmd") : resolveApp(deps.config, body.appid ?? request.query.appid, "Cmd");
    const timeStamp = body.timeStamp === undefined ? imTimestampNow() : checkTimeStamp(body.timeStamp);
    const data = await execute(route.command, deps.services, {
      app,
      timeStamp,
      user: route.command.auth === "token" ? user : undefined,
      fields: route.fields(request),
    });
    const answer = route.respond ? route.respond(data, request) : data;
    ctx.status = route.status ?? 200;
    if (ctx.status !== 204) ctx.body = answer ?? {};
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    state.errorCode = error.code;
    sendError(ctx, error);
  }
}

/** JSON body parsing for REST; a malformed body answers 400 with 10002. */
export function restBodyParser(limitBytes: number) {
  return bodyParser({
    enableTypes: ["json"],
    jsonLimit: `${limitBytes}b`,
    strict: true,
    onerror: (error, ctx) => {
      // Answered by the route, in the door's error shape.
      (ctx.state as RestState).bodyError = (error as { type?: string }).type === "entity.too.large" ? new BodyTooLargeError() : Errors.requestJson();
    },
  });
}

export function mountRoutes(router: Router, deps: RestDeps, routes: readonly RestRoute[]): void {
  for (const route of routes) {
    router[route.method](route.path, (ctx) => handle(deps, route, ctx));
  }
}
