import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { str } from "../fields";
import { idRules, passwordRules } from "./rules";

export const loginCommand = defineCommand({
  name: "account.login",
  auth: "none",
  input: z.object({
    id: str(FieldText.id, idRules),
    pwd: str(FieldText.pwd, passwordRules),
  }),
  run: ({ app, services }, input) => services.accounts.login(app, input),
  present: (result) => ({ userSig: result.userSig, token: result.token, role: result.role }),
});
