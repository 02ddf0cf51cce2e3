import { loginCommand } from "./account/login";
import { logoutCommand } from "./account/logout";
import { registCommand } from "./account/regist";
import type { AnyCommand } from "./command";
import { createCommand } from "./live/create";
import { exitRoomCommand } from "./live/exitroom";
import { heartbeatCommand } from "./live/heartbeat";
import { queryBindCommand } from "./live/querybind";
import { reportBindCommand } from "./live/reportbind";
import { reportMemberCommand } from "./live/reportmemid";
import { roomMemberListCommand } from "./live/roomidlist";
import { roomListCommand } from "./live/roomlist";
import { startCourseCommand } from "./live/startcourse";

/** Every command of the app protocol, by "svc.cmd": the whole API on one page. */
export const COMMANDS: readonly AnyCommand[] = [
  registCommand,
  loginCommand,
  logoutCommand,
  createCommand,
  startCourseCommand,
  exitRoomCommand,
  roomListCommand,
  heartbeatCommand,
  reportMemberCommand,
  roomMemberListCommand,
  reportBindCommand,
  queryBindCommand,
];

export const commandsByName: ReadonlyMap<string, AnyCommand> = new Map(COMMANDS.map((c) => [c.name, c]));
