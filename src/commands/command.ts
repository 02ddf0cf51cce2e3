import type { z } from "zod";
import type { SdkApp } from "../config";
import type { AppError } from "../errors";
import type { Services } from "../services";
import type { SessionUser } from "../services/domain";
import type { OperatorSession } from "../services/operators";
import type { RateLimitName } from "../rate-limits/rate-limits";
import type { Access } from "./access";
import type { RestMapping } from "./rest-mapping";

/**
 * One declaration per command: its whole contract in one place. The protocol doors
 * find it by name and dialect, the REST router mounts its `rest` mapping, docs/'s
 * API tables are rendered from it (test/api-docs.test.ts keeps them in step).
 */

/** Where a command is spoken: the classroom app protocol, the 随心播 live dialect, or REST only. */
export type Dialect = "classroom" | "live" | "rest";

/**
 * What the door checks before the command sees the request (the original's three base types):
 * "none" the common fields `appid` and `timeStamp` (Cmd); "token" those and the caller's token
 * (TokenCmd); "signed" nothing (SimpleCmd): the request proves itself by a signature its access
 * policy checks (Tencent's callbacks, signed links); "console" (REST only) the operator console's
 * session cookie, and its CSRF token on a change.
 */
export type Auth = "none" | "token" | "signed" | "console";

/**
 * The shape of a command's answers. Tencent's callbacks answer in Tencent's shapes on every
 * door: "liveCallback" `{code}` (recording and stream events), "liveEvent" the same with
 * `errorCode` and `errorInfo` beside it (the live dialect's callback, whose apps' original
 * answered the standard envelope), "imCallback" `{ActionStatus, ErrorCode, ErrorInfo}` (IM's
 * replay index service).
 */
export type Envelope = "standard" | "liveCallback" | "liveEvent" | "imCallback";

/** Abuse limits of a command anyone may call. */
export interface CommandLimits {
  /** Counted per client address before anything else is done. */
  perAddress?: RateLimitName;
  /** Counted per account (the app and the case-folded id in this input field) once the input is valid: password guessing. */
  perAccount?: { limit: RateLimitName; field: string };
}

/** What the heartbeat does differently to stay off SQL and out of the logs (each named, not one flag). */
export interface HotPath {
  /** The access line is logged at debug only (the original never logged heartbeats). */
  quietLog?: boolean;
  /** A token this instance checked a moment ago is trusted without asking Redis again. */
  trustRecentTokenCheck?: boolean;
  /** The token's last use reaches SQL later, in the reaper's batches, not on this request. */
  deferTokenUseToReaper?: boolean;
}

/** What every handler receives. */
export interface BaseContext {
  services: Services;
}

export interface PublicContext extends BaseContext {
  app: SdkApp;
  /** The caller's `timeStamp` (IM marker timestamps). */
  timeStamp: number;
}

export interface UserContext extends PublicContext {
  user: SessionUser;
}

/** A console command's: the signed-in operator (none only for the login), and the app it names (`appid`), if any. */
export interface ConsoleContext extends BaseContext {
  operator: OperatorSession | undefined;
  app: SdkApp | undefined;
}

/** What the handler receives: the caller (token commands) and what the access policy loaded. */
export type ContextOf<A extends Auth, C> = (A extends "token" ? UserContext : A extends "none" ? PublicContext : A extends "console" ? ConsoleContext : BaseContext) & {
  course: C;
};

export interface Command<A extends Auth = Auth, S extends z.ZodType = z.ZodType, C = unknown, R = unknown, O extends z.ZodType = z.ZodType> {
  /** "svc.cmd" as on the wire, e.g. "live.create"; REST-only commands use a REST noun ("courses.get"). */
  name: string;
  dialect: Dialect;
  /** Other names the protocol door answers to (one command, several names in use). */
  aliases?: readonly string[];
  /** The `errorInfo` of a success, when not "" (the original's account.verify says "Sig verify success!"). */
  successInfo?: string;
  /** How answers are shaped; "standard" when not said. */
  envelope?: Envelope;
  /** One line for docs/'s API tables. */
  summary: string;
  auth: A;
  /** What an unknown or expired token answers, when not the usual 10009 (the live heartbeat: 10005 "User not exist"). */
  unknownToken?: () => AppError;
  /** Who may call it, checked after input validation (the original's order); loads the course once. */
  access: Access<C, z.output<S>>;
  input: S;
  hotPath?: HotPath;
  /** Abuse limits of a command anyone may call (token commands are limited per user besides). */
  limits?: CommandLimits;
  run(ctx: ContextOf<A, C>, input: z.output<S>): Promise<R>;
  /** `data` of the answer; a command without a presenter, or whose presenter gives nothing, answers no data. */
  present?(result: R): (object & z.input<O>) | undefined;
  /** The shape of what `present` gives: the OpenAPI document's answer schema, and the presenter's type. */
  output?: O;
  /** Its REST routes, if it has any (one command may serve several, e.g. enter and leave). */
  rest?: RestMapping | readonly RestMapping[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a heterogeneous registry: each entry was type-checked by defineCommand
export type AnyCommand = Command<Auth, any, any, any, any>;

/** The REST routes of a command, as a list. */
export function restRoutesOf(command: AnyCommand): readonly RestMapping[] {
  if (command.rest === undefined) return [];
  return Array.isArray(command.rest) ? (command.rest as readonly RestMapping[]) : [command.rest as RestMapping];
}

export function defineCommand<A extends Auth, S extends z.ZodType, C, R, O extends z.ZodType = z.ZodType>(command: Command<A, S, C, R, O>): Command<A, S, C, R, O> {
  return command;
}
