import type { SdkApp } from "../config";
import { Errors, FieldText } from "../errors";
import type { AppDirectory } from "../services/apps";
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

export function resolveApp(apps: AppDirectory, raw: unknown, base: BaseType): SdkApp {
  if (phpEmpty(raw)) throw Errors.requestData(FieldText.appid.lack);
  const appid = lenientInteger(raw);
  if (appid === undefined) throw Errors.requestData(base === "Cmd" ? FieldText.appid.invalidCmd : FieldText.appid.invalidToken);
  const app = apps.find(appid);
  if (!app) throw Errors.requestData(FieldText.appid.notConfigured);
  return app;
}

/**
 * The app a 随心播 live-dialect value names (the request's `appid`, a reported room's
 * `room.appid`): none when PHP-empty (absent, null, "", 0, "0", false); anything else must
 * be a configured app (an integer or canonical decimal string), else 10003 "Invalid appid",
 * the live original's text for an app it had no keys for. Never served as another app.
 */
export function liveAppNamed(apps: AppDirectory, raw: unknown): SdkApp | undefined {
  if (phpEmpty(raw)) return undefined;
  const appid = lenientInteger(raw);
  const app = appid === undefined ? undefined : apps.find(appid);
  if (!app) throw Errors.requestData(FieldText.live.appid.notConfigured);
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

const optionsByCommand = new WeakMap<AnyCommand, AuthenticateOptions>();

/** How a command's token is checked: the heartbeat's named shortcuts (see HotPath); one object per command, not per request. */
export function authenticateOptionsOf(command: AnyCommand): AuthenticateOptions {
  let options = optionsByCommand.get(command);
  if (!options) optionsByCommand.set(command, (options = { trustRecentCheck: command.hotPath?.trustRecentTokenCheck, deferUseToReaper: command.hotPath?.deferTokenUseToReaper }));
  return options;
}

/**
 * What each protocol dialect asks of every request before its command sees it. The
 * classroom: `appid` (a configured app) and `timeStamp` are required (§2.1–§2.2). The
 * 随心播 live dialect checks neither (its original never did, and its apps often send no
 * appid): a request that names no app is LIVE_APPID's, one that names an app must name a
 * configured one (never served as another); `timeStamp` and `sign` are accepted and
 * ignored (live-protocol.md §A.3). Both read the token the same way.
 */
export interface DialectRules {
  /** The app the common fields name (refusing one that is not configured). */
  appOf(apps: AppDirectory, fields: Record<string, unknown>, base: BaseType): SdkApp;
  timeStampOf(fields: Record<string, unknown>): number;
  /** A token command's app: the common fields' (which must be the token's) or the token's own (the fields' is only checked). */
  tokenApp: "fields" | "session";
}

export const DIALECT_RULES: Readonly<Record<"classroom" | "live", DialectRules>> = {
  classroom: {
    appOf: (apps, fields, base) => resolveApp(apps, fields.appid, base),
    timeStampOf: (fields) => checkTimeStamp(fields.timeStamp),
    tokenApp: "fields",
  },
  live: {
    appOf: (apps, fields) => liveAppNamed(apps, fields.appid) ?? apps.liveDefault,
    timeStampOf: () => imTimestampNow(),
    tokenApp: "session",
  },
};
