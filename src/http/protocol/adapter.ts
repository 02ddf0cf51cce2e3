import type { Context } from "koa";
import { checkTimeStamp, resolveApp, tokenOfTokenCommand } from "../../commands/common";
import type { AnyCommand } from "../../commands/command";
import { execute } from "../../commands/execute";
import { commandsByName } from "../../commands/registry";
import type { Config } from "../../config";
import { AppError, ErrorCode, Errors } from "../../errors";
import type { Services } from "../../services";
import { BodyTooLargeError, parseJsonBody, readRawBody } from "../body";
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

/** Apps send a handful of distinct query strings: resolve each once (bounded). */
const commandByQuery = new Map<string, AnyCommand | undefined>();
const COMMAND_CACHE_MAX = 1000;

function commandOf(ctx: Context): AnyCommand | undefined {
  const query = ctx.querystring;
  if (commandByQuery.has(query)) return commandByQuery.get(query);
  const command = commandsByName.get(`${queryValue(ctx, "svc")}.${queryValue(ctx, "cmd")}`);
  if (commandByQuery.size >= COMMAND_CACHE_MAX) commandByQuery.clear();
  commandByQuery.set(query, command);
  return command;
}

export function isProtocolPath(path: string): boolean {
  return path.endsWith("/") || path.endsWith("index.php");
}

export function protocolHandler(deps: { config: Config; services: Services }) {
  return async (ctx: Context): Promise<void> => {
    const state = ctx.state as RequestState;
    try {
      const command = commandOf(ctx);
      if (!command) throw Errors.invalidRequest();
      state.command = command.name;
      state.quiet = command.hotPath === true;
      const fields = parseJsonBody(await readRawBody(ctx, deps.config.bodyLimitBytes));
      const base = command.auth === "token" ? "TokenCmd" : "Cmd";
      const app = resolveApp(deps.config, fields.appid, base);
      const timeStamp = checkTimeStamp(fields.timeStamp);
      const user =
        command.auth === "token"
          ? await deps.services.sessions.authenticate(tokenOfTokenCommand(fields.token), app.sdkAppId, { hotPath: command.hotPath })
          : undefined;
      const data = await execute(command, deps.services, { app, timeStamp, user, fields });
      sendEnvelope(ctx, ErrorCode.success, "", data);
    } catch (error) {
      if (error instanceof AppError) {
        state.errorCode = error.code;
        sendEnvelope(ctx, error.code, error.info, undefined, error instanceof BodyTooLargeError ? 413 : 200);
        return;
      }
      state.errorCode = ErrorCode.server;
      state.failure = error;
      const server = Errors.server();
      sendEnvelope(ctx, server.code, server.info);
    }
  };
}
