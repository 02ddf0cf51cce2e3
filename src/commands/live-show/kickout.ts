import { z } from "zod";
import { FieldText } from "../../errors";
import { idRules, passwordRules } from "../account/rules";
import { anyone } from "../access";
import { defineCommand } from "../command";
import { str } from "../fields";

/**
 * An admin kicks a user off IM (its userSigs stop working) and, unless `holdsig`, ends its session.
 * Only the admins configuration names (KICKOUT_ADMINS), proving themselves with their password:
 * the original took any account for an admin.
 */
export const liveKickoutCommand = defineCommand({
  name: "account.kickout",
  dialect: "live",
  summary: "an admin of `KICKOUT_ADMINS` (`id`, `pwd`) ends `kickid`'s IM login and, unless `holdsig`, its session → `kickID`, `holdSig`",
  auth: "none",
  access: anyone,
  input: z.object({
    id: str(FieldText.id, idRules),
    pwd: str(FieldText.pwd, passwordRules),
    kickid: str(FieldText.live.kickid, idRules),
    // Any truthy value, as the original read it.
    holdsig: z
      .unknown()
      .transform((value) => value !== undefined && value !== null && value !== false && value !== 0 && value !== "" && value !== "0")
      .optional(),
  }),
  run: ({ app, services }, input) => services.accounts.kickout(app, { id: input.id, pwd: input.pwd, kickId: input.kickid, holdSig: input.holdsig ?? false }),
  present: (result) => ({ kickID: result.kickId, holdSig: result.holdSig }),
});
