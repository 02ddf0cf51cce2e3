import { z } from "zod";
import { FieldText } from "../../errors";
import { Role } from "../../services/domain";
import { anyone } from "../access";
import { defineCommand } from "../command";
import { oneOf, str } from "../fields";
import { bodyFields } from "../rest-mapping";
import { credentialLimits, idRules, passwordRules } from "./rules";

export const registCommand = defineCommand({
  name: "account.regist",
  dialect: "classroom",
  summary: "`id`, `pwd` (opaque, ≤ 64 bytes, stored as scrypt), `role` 1 teacher / 0 student",
  auth: "none",
  access: anyone,
  limits: credentialLimits("id"),
  input: z.object({
    id: str(FieldText.id, idRules),
    pwd: str(FieldText.pwd, passwordRules),
    role: oneOf(FieldText.role, [Role.student, Role.teacher] as const),
  }),
  run: ({ app, services }, input) => services.accounts.register(app, input),
  rest: { method: "post", path: "/accounts", status: 201, input: bodyFields("id", "pwd", "role") },
});
