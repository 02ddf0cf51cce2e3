import { z } from "zod";
import { FieldText } from "../../errors";
import { anyone } from "../access";
import { defineCommand } from "../command";
import { str } from "../fields";
import { bodyFields } from "../rest-mapping";
import { credentialLimits, idRules, passwordRules } from "./rules";

export const loginCommand = defineCommand({
  name: "account.login",
  dialect: "classroom",
  summary: "→ `userSig` (IM v2), `token` (192 random bits; a new login ends the old one), `role`",
  auth: "none",
  access: anyone,
  limits: credentialLimits("id"),
  input: z.object({
    id: str(FieldText.id, idRules),
    pwd: str(FieldText.pwd, passwordRules),
  }),
  run: ({ app, services }, input) => services.accounts.login(app, input),
  output: z.object({ userSig: z.string(), token: z.string(), role: z.int() }),
  present: (result) => ({ userSig: result.userSig, token: result.token, role: result.role }),
  rest: { method: "post", path: "/sessions", status: 201, input: bodyFields("id", "pwd") },
});
