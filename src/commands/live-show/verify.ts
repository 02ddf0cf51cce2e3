import { z } from "zod";
import { FieldText } from "../../errors";
import { idRules } from "../account/rules";
import { anyone } from "../access";
import { defineCommand } from "../command";
import { str } from "../fields";

/** Whether a userSig is a valid one of that user in this app (the original answered 90000 for a bad one; no client reads it). */
export const liveVerifyCommand = defineCommand({
  name: "account.verify",
  dialect: "live",
  summary: "`id`, `sig`: 0 \"Sig verify success!\" when `sig` is a valid userSig of `id` in the app, else 10003 \"Sig verify failed!\"",
  successInfo: "Sig verify success!",
  auth: "none",
  access: anyone,
  input: z.object({ id: str(FieldText.id, idRules), sig: str(FieldText.live.sig, { emptyIsLack: true, maxLength: 4096 }) }),
  run: ({ app, services }, input) => Promise.resolve(services.accounts.verifyUserSig(app, input.id, input.sig)),
});
