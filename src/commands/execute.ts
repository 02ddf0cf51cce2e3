import type { z } from "zod";
import type { SdkApp } from "../config";
import { Errors } from "../errors";
import type { Services } from "../services";
import type { SessionUser } from "../services/domain";
import type { AnyCommand } from "./command";
import { firstIssueText } from "./fields";

/** What a door hands over once it has checked the common fields and the token. */
export interface Invocation {
  app: SdkApp;
  timeStamp: number;
  user: SessionUser | undefined;
  fields: Record<string, unknown>;
}

/** Validates the input, applies the access policy, runs the handler and presents the result (data or undefined). */
export async function execute(command: AnyCommand, services: Services, call: Invocation): Promise<object | undefined> {
  const schema = command.input as z.ZodType;
  const parsed = schema.safeParse(call.fields);
  if (!parsed.success) throw Errors.requestData(firstIssueText(parsed.error));
  if (command.auth === "token" && !call.user) throw Errors.lackOfToken();
  const input: unknown = parsed.data;
  const course: unknown = await command.access.check({ services, app: call.app, user: call.user, input });
  const result: unknown = await command.run({ app: call.app, timeStamp: call.timeStamp, services, user: call.user, course }, input);
  return command.present ? command.present(result) : undefined;
}
