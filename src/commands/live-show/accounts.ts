import { z } from "zod";
import { FieldText } from "../../errors";
import { Role } from "../../services/domain";
import { logoutCommand } from "../account/logout";
import { credentialLimits, idRules, passwordRules } from "../account/rules";
import { anyone } from "../access";
import { defineCommand } from "../command";
import { str } from "../fields";

/**
 * The live dialect's accounts: the classroom's (same accounts and tokens), without its
 * common fields (the app the request's `appid` names, which must be configured; LIVE_APPID
 * when it names none) and without a role (anyone may host a live room).
 */

const credentials = z.object({ id: str(FieldText.id, idRules), pwd: str(FieldText.pwd, passwordRules) });

export const liveRegistCommand = defineCommand({
  name: "account.regist",
  dialect: "live",
  summary: "`id`, `pwd` (opaque, ≤ 64 bytes, stored as scrypt); `appid` optional",
  auth: "none",
  access: anyone,
  limits: credentialLimits("id"),
  input: credentials,
  run: ({ app, services }, input) => services.accounts.register(app, { ...input, role: Role.student }),
});

export const liveLoginCommand = defineCommand({
  name: "account.login",
  dialect: "live",
  summary: "→ `userSig` (IM v2), `token` (one session per user, shared with the classroom)",
  auth: "none",
  access: anyone,
  limits: credentialLimits("id"),
  input: credentials,
  run: ({ app, services }, input) => services.accounts.login(app, input),
  output: z.object({ userSig: z.string(), token: z.string() }),
  present: (result) => ({ userSig: result.userSig, token: result.token }),
});

/** The classroom's logout, spoken in the live dialect (no common fields). */
export const liveLogoutCommand = defineCommand({ ...logoutCommand, dialect: "live", rest: undefined });
