import type { SdkApp } from "../config";
import { Errors } from "../errors";
import type { Services } from "../services";
import type { SessionUser } from "../services/domain";
import type { AnyCommand, ContextOf, UserContext } from "./command";
import { firstIssueText } from "./fields";

/** What a door hands over once it has checked the common fields. */
export interface Invocation {
  app: SdkApp;
  timeStamp: number;
  user: SessionUser | undefined;
  fields: Record<string, unknown>;
}

/** Validates the input, checks the role, runs the handler and presents the result (data or undefined). */
export async function execute(command: AnyCommand, services: Services, call: Invocation): Promise<object | undefined> {
  const parsed = command.input.safeParse(call.fields);
  if (!parsed.success) throw Errors.requestData(firstIssueText(parsed.error));
  if (command.auth === "token" && !call.user) throw Errors.tokenUnknown();
  if (command.role && call.user?.role !== command.role.required) throw command.role.denied();
  const context = { app: call.app, timeStamp: call.timeStamp, services, user: call.user } as UserContext as ContextOf<typeof command.auth>;
  const result: unknown = await command.run(context, parsed.data);
  return command.present ? command.present(result) : undefined;
}
