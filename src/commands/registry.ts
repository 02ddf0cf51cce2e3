import { loginCommand } from "./account/login";
import { recordingCallbackCommand } from "./callbacks/recording";
import { indexFileCallbackCommand } from "./callbacks/replay-index";
import { logoutCommand } from "./account/logout";
import { registCommand } from "./account/regist";
import type { AnyCommand, Dialect } from "./command";
import { unbindCommand } from "./courses/unbind";
import { liveLoginCommand, liveLogoutCommand, liveRegistCommand } from "./live-show/accounts";
import { liveAuthPrivMapCommand } from "./live-show/auth-priv-map";
import { liveCosSignCommand } from "./live-show/cos-sign";
import { liveKickoutCommand } from "./live-show/kickout";
import { liveLinkSigCommand } from "./live-show/linksig";
import { liveVerifyCommand } from "./live-show/verify";
import {
  liveHeartbeatCommand,
  liveReportMemberCommand,
  liveReportStatusCommand,
  liveRequestMicCommand,
  liveRoomMemberListCommand,
} from "./live-show/members";
import { liveCreateCommand, liveReportRoomCommand, liveRoomCommand, liveRoomListCommand, liveStreamListLiveCommand } from "./live-show/rooms";
import {
  liveCallbackCommand,
  liveExitRoomCommand,
  liveRecordListCommand,
  liveReportRecordCommand,
  liveRoomPlayUrlCommand,
} from "./live-show/shows";
import { courseCommand } from "./courses/get";
import { consoleCourseCommand, consoleEndCommand, consoleReplayIndexCommand, consoleStopRelayCommand } from "./console/course";
import { consoleLiveCommand } from "./console/live";
import { consoleAttendanceCommand, consoleMemberAttendanceCommand } from "./console/attendance";
import { consoleChatCommand, consoleReplaysCommand } from "./console/replays";
import { consoleHealthCommand } from "./console/health";
import { consoleWebhooksCommand } from "./console/webhooks";
import { consoleLoginCommand, consoleLogoutCommand, consoleSessionCommand } from "./console/session";
import { createCommand } from "./live/create";
import { exitRoomCommand } from "./live/exitroom";
import { heartbeatCommand } from "./live/heartbeat";
import { makeReplayIndexCommand } from "./live/makereplayidx";
import { queryBindCommand } from "./live/querybind";
import { reportBindCommand } from "./live/reportbind";
import { reportMemberCommand } from "./live/reportmemid";
import { roomMemberListCommand } from "./live/roomidlist";
import { roomListCommand } from "./live/roomlist";
import { startCourseCommand } from "./live/startcourse";
import { replayIndexFileCommand } from "./replay/index-file";
import { roomPlayUrlCommand } from "./relay/getroomplayurl";
import { liveStreamListCommand } from "./relay/livestreamlist";
import { startPushCommand } from "./relay/startpush";
import { startRecordCommand } from "./relay/startrecord";
import { stopPushCommand } from "./relay/stoppush";
import { stopRecordCommand } from "./relay/stoprecord";
import { cosAuthorizationCommand } from "./signatures/cos-authorization";
import { cosGetSignCommand } from "./signatures/cos-get-sign";
import { vodCmdProxyCommand } from "./signatures/vod-cmd-proxy";
import { vodGetClientSignCommand } from "./signatures/vod-get-client-sign";
import { vodGetSignCommand } from "./signatures/vod-get-sign";

/**
 * Every command, each declared once in its own file: the whole API on one page. The
 * protocol doors, the REST router and the API tables of docs/ are all built from this list.
 */
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
  makeReplayIndexCommand,
  recordingCallbackCommand,
  indexFileCallbackCommand,
  startRecordCommand,
  stopRecordCommand,
  startPushCommand,
  stopPushCommand,
  roomPlayUrlCommand,
  liveStreamListCommand,
  cosGetSignCommand,
  vodGetSignCommand,
  vodGetClientSignCommand,
  vodCmdProxyCommand,
  courseCommand,
  unbindCommand,
  cosAuthorizationCommand,
  replayIndexFileCommand,
  // The 随心播 live dialect (under LIVE_PATHS).
  liveRegistCommand,
  liveLoginCommand,
  liveLogoutCommand,
  liveAuthPrivMapCommand,
  liveVerifyCommand,
  liveKickoutCommand,
  liveCosSignCommand,
  liveCreateCommand,
  liveReportRoomCommand,
  liveRoomListCommand,
  liveHeartbeatCommand,
  liveReportMemberCommand,
  liveRoomMemberListCommand,
  liveRequestMicCommand,
  liveReportStatusCommand,
  liveReportRecordCommand,
  liveRecordListCommand,
  liveExitRoomCommand,
  liveStreamListLiveCommand,
  liveRoomPlayUrlCommand,
  liveCallbackCommand,
  liveRoomCommand,
  liveLinkSigCommand,
  consoleLoginCommand,
  consoleSessionCommand,
  consoleLogoutCommand,
  consoleLiveCommand,
  consoleCourseCommand,
  consoleEndCommand,
  consoleReplayIndexCommand,
  consoleStopRelayCommand,
  consoleAttendanceCommand,
  consoleMemberAttendanceCommand,
  consoleReplaysCommand,
  consoleChatCommand,
  consoleHealthCommand,
  consoleWebhooksCommand,
];

/** The commands a protocol dialect answers, by "svc.cmd" (each of its names). */
export function commandsOf(dialect: Exclude<Dialect, "rest">): ReadonlyMap<string, AnyCommand> {
  return new Map(COMMANDS.filter((c) => c.dialect === dialect).flatMap((c) => [c.name, ...(c.aliases ?? [])].map((name) => [name, c] as const)));
}

/** The commands with a REST route. */
export const restCommands = (): readonly AnyCommand[] => COMMANDS.filter((c) => c.rest !== undefined);
