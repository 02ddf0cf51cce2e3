import { loginCommand } from "../../commands/account/login";
import { logoutCommand } from "../../commands/account/logout";
import { registCommand } from "../../commands/account/regist";
import type { RestRoute } from "./door";

/** Accounts and sessions over REST. */
export const accountRoutes: readonly RestRoute[] = [
  { method: "post", path: "/accounts", command: registCommand, status: 201, fields: ({ body }) => body },
  { method: "post", path: "/sessions", command: loginCommand, status: 201, fields: ({ body }) => body },
  {
    method: "delete",
    path: "/sessions/current",
    command: logoutCommand,
    status: 204,
    session: true,
    fields: ({ bearer }) => ({ token: bearer }),
  },
];
