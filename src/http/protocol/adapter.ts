import type { Context } from "koa";
import { authenticateOptionsOf, checkTimeStamp, resolveApp, tokenOfTokenCommand } from "../../commands/common";
import type { AnyCommand, Dialect } from "../../commands/command";
import { execute } from "../../commands/execute";
import { commandsOf } from "../../commands/registry";
import type { Config } from "../../config";
import { AppError, ErrorCode, Errors } from "../../errors";
import type { Services } from "../../services";
import { parseJsonBody, readRawBody } from "../body";
import { sendEnvelope } from "./envelope";
import type { RequestState } from "../request-context";

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

export function protocolHandler(deps: { config: Config; services: Services }, dialect: Exclude<Dialect, "rest">) {
  const commandOf = commandResolver(dialect);
  return async (ctx: Context): Promise<void> => {
    const state = ctx.state as RequestState;
    try {
      const command = commandOf(ctx);
      if (!command) throw Errors.invalidRequest();
      state.command = command.name;
      state.quiet = command.hotPath?.quietLog === true;
      const fields = parseJsonBody(await readRawBody(ctx, deps.config.bodyLimitBytes, deps.config.bodyTimeoutMs));
      const base = command.auth === "token" ? "TokenCmd" : "Cmd";
      const app = resolveApp(deps.config, fields.appid, base);
      const timeStamp = checkTimeStamp(fields.timeStamp);
      const user =
        command.auth === "token"
          ? await deps.services.sessions.authenticate(tokenOfTokenCommand(fields.token), app.sdkAppId, authenticateOptionsOf(command))
          : undefined;
      const data = await execute(command, deps.services, { app, timeStamp, user, fields });
      sendEnvelope(ctx, ErrorCode.success, "", data);
    } catch (error) {
      if (error instanceof AppError) {
        state.errorCode = error.code;
        // The envelope's rules: HTTP 200 whatever the error (body too large or too slow included).
        sendEnvelope(ctx, error.code, error.info, error.data);
        return;
      }
      state.errorCode = ErrorCode.server;
      state.failure = error;
      const server = Errors.server();
      sendEnvelope(ctx, server.code, server.info);
    }
  };
}
