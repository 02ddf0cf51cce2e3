import { parse as parseQuery } from "node:querystring";
import type { IncomingMessage } from "node:http";
import { authenticateOptionsOf, DIALECT_RULES, type DialectRules, tokenOfTokenCommand } from "../../commands/common";
import type { AnyCommand, Dialect } from "../../commands/command";
import { execute, type Invocation, NO_QUERY, queryStrings } from "../../commands/execute";
import { commandsOf } from "../../commands/registry";
import type { Config } from "../../config";
import { AppError, ErrorCode, Errors } from "../../errors";
import type { Services } from "../../services";
import type { SessionUser } from "../../services/domain";
import { BodyRefused, parseJsonBody, readRawBody } from "../body";
import { callbackAnswer, type CallbackOutcome } from "../callback-answers";
import { envelopeText } from "./envelope";
import type { RequestDialect } from "../../metrics/metrics";

/**
 * The app protocol door: `…/index.php?svc=SVC&cmd=CMD` (any method, any path ending in
 * index.php or /), JSON body under any Content-Type, answered by the envelope. One exchange
 * whatever carries the request: Koa (every command), or the hot door's bare node:http (the
 * heartbeat, which Koa's own work would cost more than all of its).
 */

export type ProtocolDialect = Exclude<Dialect, "rest">;

/** What the exchange needs of a request, from whichever carrier. */
export interface ProtocolRequest {
  req: IncomingMessage;
  /** The raw query string (after "?"). */
  querystring: string;
  /** The parsed query (only signed commands read it). */
  query: () => Readonly<Record<string, unknown>>;
  /** The client's address (only limits per address read it). */
  address: () => string;
}

/** The answer, for the carrier to send: always JSON. */
export interface ProtocolAnswer {
  status: number;
  body: string;
  /** The body was refused while it was read: the connection closes after the answer. */
  close: boolean;
}

/** What the access log says of the exchange. */
export interface ExchangeNote {
  dialect?: RequestDialect;
  command?: string;
  quiet?: boolean;
  errorCode?: number;
  errorInfo?: string;
  failure?: unknown;
}

export function isProtocolPath(path: string): boolean {
  return path.endsWith("/") || path.endsWith("index.php");
}

const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Resolves `?svc&cmd` to a command of one dialect. Apps send a handful of distinct query
 *  strings: each is resolved once (bounded). */
export function commandResolver(dialect: ProtocolDialect): (querystring: string) => AnyCommand | undefined {
  const commands = commandsOf(dialect);
  const byQuery = new Map<string, AnyCommand | undefined>();
  return (querystring) => {
    if (byQuery.has(querystring)) return byQuery.get(querystring);
    const query = parseQuery(querystring);
    const command = commands.get(`${stringOf(query.svc)}.${stringOf(query.cmd)}`);
    if (byQuery.size >= COMMAND_CACHE_MAX) byQuery.clear();
    byQuery.set(querystring, command);
    return command;
  };
}

const COMMAND_CACHE_MAX = 1000;

/**
 * The caller as the command's `auth` and the dialect's rules ask: app and timeStamp from the
 * common fields, the token's user. At once (no promise) when nothing is asked of Redis or
 * PostgreSQL: the heartbeat's trusted token.
 */
function callerOf(
  deps: { config: Config; services: Services },
  rules: DialectRules,
  command: AnyCommand,
  fields: Record<string, unknown>,
  request: ProtocolRequest,
): Invocation | Promise<Invocation> {
  const address = request.address;
  if (command.auth === "signed") return { app: undefined, timeStamp: undefined, user: undefined, fields, query: queryStrings(request.query()), address };
  // The original's order: appid, then timeStamp, then the token. Every dialect refuses an app that is not configured.
  const fieldsApp = rules.appOf(deps.services.apps, fields, command.auth === "token" ? "TokenCmd" : "Cmd");
  const timeStamp = rules.timeStampOf(fields);
  // Only a signed request reads its query (the heartbeat's is never parsed).
  if (command.auth !== "token") return { app: fieldsApp, timeStamp, user: undefined, fields, query: NO_QUERY, address };
  const fieldsDecide = rules.tokenApp === "fields";
  const invocationOf = (user: SessionUser): Invocation => {
    const app = fieldsDecide ? fieldsApp : deps.config.sdkApps.get(user.appid);
    if (!app) throw Errors.tokenUnknown(); // the token's app is no longer configured
    return { app, timeStamp, user, fields, query: NO_QUERY, address };
  };
  const user = authenticated(deps.services, command, tokenOfTokenCommand(fields.token), fieldsDecide ? fieldsApp.sdkAppId : undefined);
  return user instanceof Promise ? user.then(invocationOf) : invocationOf(user);
}

/** The token's user; a command may answer an unknown or expired token its own way (the live heartbeat: 10005). */
function authenticated(services: Services, command: AnyCommand, token: string, appid: number | undefined): SessionUser | Promise<SessionUser> {
  const user = services.sessions.authenticate(token, appid, authenticateOptionsOf(command));
  // Only a token checked in Redis or PostgreSQL can turn out unknown; one trusted in memory is answered at once.
  return user instanceof Promise ? user.catch((error: unknown) => refused(command, error)) : user;
}

function refused(command: AnyCommand, error: unknown): never {
  throw command.unknownToken && error instanceof AppError && error.kind === "credentials" ? command.unknownToken() : error;
}

/** Answers in the command's envelope; a body that is not JSON gets the standard 10002 whatever the command. */
function answerOf(command: AnyCommand | undefined, outcome: CallbackOutcome, close: boolean): ProtocolAnswer {
  const envelope = command?.envelope ?? "standard";
  const bodyError = "error" in outcome && outcome.error.code === ErrorCode.requestJson;
  if (envelope !== "standard" && !bodyError) {
    const { status, body } = callbackAnswer(envelope, outcome);
    return { status, body: JSON.stringify(body), close };
  }
  if ("data" in outcome) return { status: 200, body: envelopeText(ErrorCode.success, command?.successInfo ?? "", outcome.data), close };
  // The envelope's rules: HTTP 200 whatever the error (body too large or too slow included).
  const error = "error" in outcome ? outcome.error : Errors.server();
  return { status: 200, body: envelopeText(error.code, error.info, error.data), close };
}

/** Runs protocol requests of one dialect: the command named (undefined: none of this dialect), the body read, the caller checked, the command run. */
export function protocolExchange(deps: { config: Config; services: Services }, dialect: ProtocolDialect) {
  const rules = DIALECT_RULES[dialect];
  return async (command: AnyCommand | undefined, request: ProtocolRequest, note: ExchangeNote): Promise<ProtocolAnswer> => {
    note.dialect = dialect;
    try {
      if (!command) throw Errors.invalidRequest();
      note.command = command.name;
      note.quiet = command.hotPath?.quietLog === true;
      const fields = parseJsonBody(await readRawBody(request.req, deps.config.bodyLimitBytes, deps.config.bodyTimeoutMs));
      const caller = callerOf(deps, rules, command, fields, request);
      const data = await execute(command, deps.services, caller instanceof Promise ? await caller : caller);
      return answerOf(command, { data }, false);
    } catch (error) {
      if (error instanceof AppError) {
        note.errorCode = error.code;
        note.errorInfo = error.info;
        return answerOf(command, { error }, error instanceof BodyRefused);
      }
      note.errorCode = ErrorCode.server;
      note.failure = error;
      return answerOf(command, { failure: error }, false);
    }
  };
}
