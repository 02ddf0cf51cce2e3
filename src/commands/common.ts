import type { Config, SdkApp } from "../config";
import { Errors, FieldText } from "../errors";
import type { AuthenticateOptions } from "../services/sessions";
import type { AnyCommand } from "./command";
import { lenientInteger, phpEmpty } from "./fields";

/**
 * The common request fields of the app protocol (protocol.md §2.1–§2.2): `appid`,
 * `timeStamp` and, for token commands, `token`, checked in the original's order
 * and with its texts.
 */

/** The original's two base types word one message differently. */
export type BaseType = "Cmd" | "TokenCmd";

export function resolveApp(config: Config, raw: unknown, base: BaseType): SdkApp {
  if (phpEmpty(raw)) throw Errors.requestData(FieldText.appid.lack);
  const appid = lenientInteger(raw);
  if (appid === undefined) throw Errors.requestData(base === "Cmd" ? FieldText.appid.invalidCmd : FieldText.appid.invalidToken);
  const app = config.sdkApps.get(appid);
  if (!app) throw Errors.requestData(FieldText.appid.notConfigured);
  return app;
}

export function checkTimeStamp(raw: unknown): number {
  if (phpEmpty(raw)) throw Errors.requestData(FieldText.timeStamp.lack);
  const timeStamp = lenientInteger(raw);
  if (timeStamp === undefined) throw Errors.requestData(FieldText.timeStamp.invalid);
  return timeStamp;
}

/**
 * The `token` of a token command. As the original, it looks at the first element:
 * a missing, empty or non-string scalar token is "Lack of token"; a list whose first
 * element is not a string is " Invalid token"; a list of strings is an unknown token.
 */
export function tokenOfTokenCommand(raw: unknown): string {
  if (typeof raw === "string" && raw.length > 0) return raw;
  if (Array.isArray(raw) && !phpEmpty(raw[0])) {
    if (typeof raw[0] !== "string") throw Errors.requestData(FieldText.token.invalidTokenCmd);
    throw Errors.tokenUnknown();
  }
  throw Errors.lackOfToken();
}

/** How a command's token is checked: the heartbeat's named shortcuts (see HotPath). */
export function authenticateOptionsOf(command: AnyCommand): AuthenticateOptions {
  return { trustRecentCheck: command.hotPath?.trustRecentTokenCheck, deferUseToReaper: command.hotPath?.deferTokenUseToReaper };
}
