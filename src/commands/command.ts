import type { z } from "zod";
import type { SdkApp } from "../config";
import type { AppError } from "../errors";
import type { Services } from "../services";
import type { Role, SessionUser } from "../services/domain";

/**
 * One declaration per command: its input schema, whether it needs a token (and which
 * role), the handler calling a service, and the presenter shaping `data`. Both doors
 * (app protocol, REST) run the same declaration.
 */

export type Auth = "none" | "token";

export interface PublicContext {
  app: SdkApp;
  /** The caller's `timeStamp` (IM marker timestamps). */
  timeStamp: number;
  services: Services;
}

export interface UserContext extends PublicContext {
  user: SessionUser;
}

export type ContextOf<A extends Auth> = A extends "token" ? UserContext : PublicContext;

export interface Command<A extends Auth = Auth, S extends z.ZodType = z.ZodType, R = unknown> {
  /** "svc.cmd" as on the wire, e.g. "live.create". */
  name: string;
  auth: A;
  /** Checked after input validation, as the original did. */
  role?: { required: Role; denied: () => AppError };
  /** The heartbeat: nothing but Redis on the way. */
  hotPath?: boolean;
  input: S;
  run(ctx: ContextOf<A>, input: z.output<S>): Promise<R>;
  /** `data` of the answer; a command without a presenter answers no data. */
  present?(result: R): object;
}

export type AnyCommand = Command<Auth, z.ZodType, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- heterogenous registry

export function defineCommand<A extends Auth, S extends z.ZodType, R>(command: Command<A, S, R>): Command<A, S, R> {
  return command;
}
