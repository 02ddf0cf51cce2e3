import { z } from "zod";
import { FieldText } from "../../errors";
import { anyone } from "../access";
import { defineCommand } from "../command";
import { str } from "../fields";
import { bearerToken } from "../rest-mapping";

export const logoutCommand = defineCommand({
  name: "account.logout",
  dialect: "classroom",
  summary: "`token`: ends the session",
  auth: "none",
  access: anyone,
  input: z.object({ token: str(FieldText.token, { emptyIsLack: true }) }),
  run: ({ services }, input) => services.accounts.logout(input.token),
  rest: { method: "delete", path: "/sessions/current", status: 204, session: true, input: { token: bearerToken } },
});
