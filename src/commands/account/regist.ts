import { z } from "zod";
import { FieldText } from "../../errors";
import { Role } from "../../services/domain";
import { defineCommand } from "../command";
import { oneOf, str } from "../fields";
import { idRules, passwordRules } from "./rules";

export const registCommand = defineCommand({
  name: "account.regist",
  auth: "none",
  input: z.object({
    id: str(FieldText.id, idRules),
    pwd: str(FieldText.pwd, passwordRules),
    role: oneOf(FieldText.role, [Role.student, Role.teacher] as const),
  }),
  run: ({ app, services }, input) => services.accounts.register(app, input),
});
