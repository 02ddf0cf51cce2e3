import type { Config, SdkApp } from "../config";
import { Errors, FieldText } from "../errors";
import { imTimestampNow } from "../services/domain";
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

/**
 * What each protocol dialect asks of every request before its command sees it. The
 * classroom: `appid` (a configured app) and `timeStamp` are required (§2.1–§2.2). The
 * 随心播 live dialect checks neither (its original never did, and its apps often send no
 * appid): the app is the request's `appid` when it names a configured one, else LIVE_APPID;
 * `timeStamp` and `sign` are accepted and ignored (live-protocol.md §A.3). Both read the
 * token the same way.
 */
export interface DialectRules {
  appOf(config: Config, fields: Record<string, unknown>, base: BaseType): SdkApp;
  timeStampOf(fields: Record<string, unknown>): number;
  /** A token command's app: the common fields' (which must be the token's) or the token's own. */
  tokenApp: "fields" | "session";
}

export const DIALECT_RULES: Readonly<Record<"classroom" | "live", DialectRules>> = {
  classroom: {
    appOf: (config, fields, base) => resolveApp(config, fields.appid, base),
    timeStampOf: (fields) => checkTimeStamp(fields.timeStamp),
    tokenApp: "fields",
  },
  live: {
    appOf: (config, fields) => {
      const appid = lenientInteger(fields.appid);
      return (appid !== undefined ? config.sdkApps.get(appid) : undefined) ?? config.live.defaultApp;
    },
    timeStampOf: () => imTimestampNow(),
    tokenApp: "session",
  },
};
