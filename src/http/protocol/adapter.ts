import type { Context } from "koa";
import { authenticateOptionsOf, DIALECT_RULES, type DialectRules, tokenOfTokenCommand } from "../../commands/common";
import type { AnyCommand, Dialect } from "../../commands/command";
import { execute, type Invocation, NO_QUERY, queryStrings } from "../../commands/execute";
import { commandsOf } from "../../commands/registry";
import type { Config } from "../../config";
import { AppError, ErrorCode, Errors } from "../../errors";
import type { Services } from "../../services";
import type { SessionUser } from "../../services/domain";
import { parseJsonBody, readRawBody } from "../body";
import { callbackAnswer, type CallbackOutcome } from "../callback-answers";
import { sendEnvelope } from "./envelope";
import { noteRefusal, type RequestState } from "../request-context";

/**
 * The app protocol door: `…/index.php?svc=SVC&cmd=CMD` (any method, any path ending in
 * index.php or /), JSON body under any Content-Type, answered by the envelope.
 */

const queryValue = (ctx: Context, name: string): string | undefined => {
  const value = ctx.query[name];
  return typeof value === "string" ? value : undefined;
};

/** Resolves `?svc&cmd` to a command of one dialect. Apps send a handful of distinct query
 *  strings: each is resolved once (bounded). */
function commandResolver(dialect: Exclude<Dialect, "rest">): (ctx: Context) => AnyCommand | undefined {
  const commands = commandsOf(dialect);
  const byQuery = new Map<string, AnyCommand | undefined>();
  return (ctx) => {
    const query = ctx.querystring;
    if (byQuery.has(query)) return byQuery.get(query);
    const command = commands.get(`${queryValue(ctx, "svc")}.${queryValue(ctx, "cmd")}`);
    if (byQuery.size >= COMMAND_CACHE_MAX) byQuery.clear();
    byQuery.set(query, command);
    return command;
  };
}

const COMMAND_CACHE_MAX = 1000;

export function isProtocolPath(path: string): boolean {
  return path.endsWith("/") || path.endsWith("index.php");
}

/** The caller as the command's `auth` and the dialect's rules ask: app and timeStamp from the common fields, the token's user. */
async function callerOf(
  deps: { config: Config; services: Services },
  rules: DialectRules,
  command: AnyCommand,
  fields: Record<string, unknown>,
  ctx: Context,
): Promise<Invocation> {
  const address = () => ctx.ip;
  if (command.auth === "signed") return { app: undefined, timeStamp: undefined, user: undefined, fields, query: queryStrings(ctx.query), address };
  // The original's order: appid, then timeStamp, then the token. Every dialect refuses an app that is not configured.
  const fieldsApp = rules.appOf(deps.services.apps, fields, command.auth === "token" ? "TokenCmd" : "Cmd");
  const timeStamp = rules.timeStampOf(fields);
  // Only a signed request reads its query (the heartbeat's is never parsed).
  if (command.auth !== "token") return { app: fieldsApp, timeStamp, user: undefined, fields, query: NO_QUERY, address };
  const fieldsDecide = rules.tokenApp === "fields";
  const user = await authenticated(deps.services, command, tokenOfTokenCommand(fields.token), fieldsDecide ? fieldsApp.sdkAppId : undefined);
  const app = fieldsDecide ? fieldsApp : deps.config.sdkApps.get(user.appid);
  if (!app) throw Errors.tokenUnknown(); // the token's app is no longer configured
  return { app, timeStamp, user, fields, query: NO_QUERY, address };
}

/** The token's user; a command may answer an unknown or expired token its own way (the live heartbeat: 10005). */
async function authenticated(services: Services, command: AnyCommand, token: string, appid: number | undefined): Promise<SessionUser> {
  try {
    return await services.sessions.authenticate(token, appid, authenticateOptionsOf(command));
  } catch (error) {
    if (command.unknownToken && error instanceof AppError && error.kind === "credentials") throw command.unknownToken();
    throw error;
  }
}

/** Answers in the command's envelope; a body that is not JSON gets the standard 10002 whatever the command. */
function answer(ctx: Context, command: AnyCommand | undefined, outcome: CallbackOutcome): void {
  const envelope = command?.envelope ?? "standard";
  const bodyError = "error" in outcome && outcome.error.code === ErrorCode.requestJson;
  if (envelope !== "standard" && !bodyError) {
    const { status, body } = callbackAnswer(envelope, outcome);
    ctx.status = status;
    ctx.body = JSON.stringify(body);
    ctx.set("Content-Type", "application/json");
    return;
  }
  if ("data" in outcome) return sendEnvelope(ctx, ErrorCode.success, command?.successInfo ?? "", outcome.data);
  // The envelope's rules: HTTP 200 whatever the error (body too large or too slow included).
  const error = "error" in outcome ? outcome.error : Errors.server();
  sendEnvelope(ctx, error.code, error.info, error.data);
}

export function protocolHandler(deps: { config: Config; services: Services }, dialect: Exclude<Dialect, "rest">) {
  const commandOf = commandResolver(dialect);
  const rules = DIALECT_RULES[dialect];
  return async (ctx: Context): Promise<void> => {
    const state = ctx.state as RequestState;
    const command = commandOf(ctx);
    try {
      if (!command) throw Errors.invalidRequest();
      state.command = command.name;
      state.quiet = command.hotPath?.quietLog === true;
      const fields = parseJsonBody(await readRawBody(ctx, deps.config.bodyLimitBytes, deps.config.bodyTimeoutMs));
      const data = await execute(command, deps.services, await callerOf(deps, rules, command, fields, ctx));
      answer(ctx, command, { data });
    } catch (error) {
      if (error instanceof AppError) {
        noteRefusal(state, error);
        answer(ctx, command, { error });
        return;
      }
      state.errorCode = ErrorCode.server;
      state.failure = error;
      answer(ctx, command, { failure: error });
    }
  };
}
