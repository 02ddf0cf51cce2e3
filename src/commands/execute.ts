import type { z } from "zod";
import type { SdkApp } from "../config";
import { Errors } from "../errors";
import type { Services } from "../services";
import type { SessionUser } from "../services/domain";
import type { OperatorSession } from "../services/operators";
import type { AnyCommand } from "./command";
import { firstIssueText } from "./fields";
import { uidKeyOf } from "../services/domain";

/** What a door hands over once it has checked what the command's `auth` asks of it. */
export interface Invocation {
  /** The app of the common fields or of the session (none for "signed" commands). */
  app: SdkApp | undefined;
  timeStamp: number | undefined;
  /** The caller: always there for a token command (each door refuses one without a valid token before this). */
  user: SessionUser | undefined;
  fields: Record<string, unknown>;
  /** The client's address (behind a trusted proxy: the address the proxy saw), for limits per address; read only when one applies. */
  address: () => string;
  /** A signed request's query parameters (its signature may be there); NO_QUERY for the others. */
  query: Readonly<Record<string, string>>;
  /** The signed-in console operator (console commands). */
  operator?: OperatorSession;
  /** Sees the handler's result before it is presented (the REST door sets the console's cookie from the login's). */
  onResult?: (result: unknown) => void;
}

/** The query of a request that is not signed: no command reads it (the heartbeat's is never parsed). */
export const NO_QUERY: Readonly<Record<string, string>> = Object.freeze({});

/** Validates the input, applies the access policy, runs the handler and presents the result (data or undefined). */
export async function execute(command: AnyCommand, services: Services, call: Invocation): Promise<object | undefined> {
  const access = (input: unknown): unknown => command.access.check({ services, app: call.app, user: call.user, operator: call.operator, input, fields: call.fields, query: call.query });
  // A signed request proves itself before anything else is said about it; the others are
  // validated first (the original's order).
  const signed = command.auth === "signed";
  const signedCourse = signed ? await signatureChecked(command, services, () => access(undefined)) : undefined;
  const limits = command.limits;
  if (limits?.perAddress) await services.rateLimits.consume(limits.perAddress, call.address());
  const schema = command.input as z.ZodType;
  const parsed = schema.safeParse(call.fields);
  if (!parsed.success) {
    if (signed) services.metrics.callback(command.name, "refused_payload");
    throw Errors.requestData(firstIssueText(parsed.error));
  }
  if (signed) services.metrics.callback(command.name, "accepted");
  const input: unknown = parsed.data;
  if (limits?.perAccount) await services.rateLimits.consume(limits.perAccount.limit, accountKeyOf(call, input, limits.perAccount.field));
  // Token commands per user; the heartbeat apart (its path makes one Redis call, and a beat is cheap).
  if (call.user && !command.hotPath) await services.rateLimits.consume("tokenRequests", String(call.user.uin));
  // A policy answered from memory (the heartbeat's) is not awaited: no promise, no turn of the microtask queue.
  const checked = command.auth === "signed" ? signedCourse : access(input);
  const course: unknown = checked instanceof Promise ? await checked : checked;
  const result: unknown = await command.run({ app: call.app, timeStamp: call.timeStamp, services, user: call.user, operator: call.operator, course }, input);
  call.onResult?.(result);
  return command.present ? (command.present(result) as object | undefined) : undefined;
}

/** The account a login or registration names: its app and case-folded id (ids are unique per app, whatever their case). */
function accountKeyOf(call: Invocation, input: unknown, field: string): string {
  const id = (input as Record<string, unknown>)[field];
  return `${call.app?.sdkAppId ?? 0}:${typeof id === "string" ? uidKeyOf(id) : String(id)}`;
}

/** A signed request's proof (a policy may throw at once or reject), counted when refused. */
async function signatureChecked(command: AnyCommand, services: Services, check: () => unknown): Promise<unknown> {
  try {
    return await check();
  } catch (refusal) {
    services.metrics.callback(command.name, "refused_signature");
    throw refusal;
  }
}

/** The first value of each query parameter. */
export function queryStrings(query: Readonly<Record<string, unknown>>): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") strings[name] = first;
  }
  return strings;
}
