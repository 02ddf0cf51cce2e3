import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { str } from "../fields";

export const logoutCommand = defineCommand({
  name: "account.logout",
  auth: "none",
  input: z.object({ token: str(FieldText.token, { emptyIsLack: true }) }),
  run: ({ services }, input) => services.accounts.logout(input.token),
});
