import { loginCommand } from "./account/login";
import { logoutCommand } from "./account/logout";
import { registCommand } from "./account/regist";
import type { AnyCommand } from "./command";

/** Every command of the app protocol, by "svc.cmd": the whole API on one page. */
export const COMMANDS: readonly AnyCommand[] = [
  registCommand,
  loginCommand,
  logoutCommand,
];

export const commandsByName: ReadonlyMap<string, AnyCommand> = new Map(COMMANDS.map((c) => [c.name, c]));
