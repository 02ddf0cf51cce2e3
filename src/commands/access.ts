import type { SdkApp } from "../config";
import { AppError, ErrorCode, Errors, FieldText } from "../errors";
import type { Services } from "../services";
import { liveAppNamed } from "./common";
import type { Course, CourseFacts } from "../services/courses";
import type { LiveRoomRecord } from "../services/live-rooms";
import { lenientInteger, Role, RoomMode, type SessionUser } from "../services/domain";
import type { OperatorSession } from "../services/operators";

/**
 * Access policies: who may call a command. Each command declares one; `execute` checks it
 * after input validation (the original's order), and a room policy loads the course or
 * live room once and hands it to the handler. A room is only ever looked up within the
 * caller's app: another app's room is a room that does not exist (10100 a course, 10010 a
 * live room; never 10101, which would say it exists). A caller the policy refuses → the
 * command's own 10101 text. Services keep the rules about state (transitions,
 * duplicates), not about who may call.
 */

export interface AccessCall<I> {
  services: Services;
  /** The app of the common fields or the session (none for signed commands). */
  app: SdkApp | undefined;
  /** The caller (token commands). */
  user: SessionUser | undefined;
  /** The signed-in console operator (console commands). */
  operator?: OperatorSession;
  /** The validated input. */
  input: I;
  /** The request's fields as sent (signed commands are checked before their input is validated). */
  fields: Readonly<Record<string, unknown>>;
  /** A signed request's query parameters (empty for the others). */
  query: Readonly<Record<string, string>>;
}

/**
 * What a room policy loads by number: a classroom course or a 随心播 live room, only ever
 * of the caller's app. Declared on the policy so that test/apps-apart.test.ts finds every
 * such command in the registry and tries another app's rooms on each of its doors.
 */
export interface RoomLoad<I> {
  readonly kind: "course" | "liveRoom";
  /**
   * What a number naming no such room of the caller's app answers (another app's room
   * included): the dialect's "does not exist", or "absent" when the handler is told there
   * is none and answers as the original did for an unknown room (the live heartbeat does
   * nothing, getroomplayurl answers `[]`).
   */
  readonly unknown: typeof ErrorCode.roomNotExist | typeof ErrorCode.liveRoomNotExist | "absent";
  /** Whether this input names a room at all (without one nothing is loaded: the caller's own library, a live leave). */
  readonly namesRoom: (input: I) => boolean;
}

export interface Access<C, I = unknown> {
  /** Who may call, as the API tables of docs/ say it. */
  readonly who: string;
  /** Refuses the caller, or returns what the handler works on (the course, the live room, or nothing). */
  readonly check: (call: AccessCall<I>) => C | Promise<C>;
  /** Set on every policy that loads a room by number. */
  readonly loads?: RoomLoad<I>;
}

interface RoomInput {
  roomnum: number;
}

const always = () => true;
const courseLoad: RoomLoad<unknown> = { kind: "course", unknown: ErrorCode.roomNotExist, namesRoom: always };
const liveRoomLoad: RoomLoad<unknown> = { kind: "liveRoom", unknown: ErrorCode.liveRoomNotExist, namesRoom: always };

/** Policies run after authentication: a token command always has its user. */
function callerOf(call: AccessCall<unknown>): SessionUser {
  if (!call.user) throw Errors.tokenUnknown();
  return call.user;
}

/** Course policies serve commands with common fields: the door has resolved the app. */
function appOf(call: AccessCall<unknown>): SdkApp {
  if (!call.app) throw Errors.requestData(FieldText.appid.lack);
  return call.app;
}

/** A class's host is always a teacher (only teachers create classes, and roles never change): owning is hosting. */
const isOwner = (course: { hostUin: number }, user: SessionUser) => course.hostUin === user.uin;

/** Anyone, no token (accounts). */
export const anyone: Access<undefined> = { who: "anyone", check: () => Promise.resolve(undefined) };

/** Any logged-in user of the app. */
export const anyUser: Access<undefined> = {
  who: "any user",
  check: (call) => {
    callerOf(call);
    return Promise.resolve(undefined);
  },
};

/** Teachers only. */
export function teacher(denied: () => AppError): Access<undefined> {
  return {
    who: "teacher",
    check: (call) => {
      if (callerOf(call).role !== Role.teacher) throw denied();
      return Promise.resolve(undefined);
    },
  };
}

/** Any user of the app, for a course that exists. */
export const anyUserOfCourse: Access<Course, RoomInput> = {
  who: "any user",
  check: (call) => call.services.courses.get(appOf(call), call.input.roomnum),
  loads: courseLoad,
};

/** As anyUserOfCourse, from the immutable facts kept in memory (the heartbeat: no SQL once warm). */
export const anyUserOfCourseFromMemory: Access<CourseFacts, RoomInput> = {
  who: "any user",
  check: (call) => call.services.courses.factsOf(appOf(call), call.input.roomnum),
  loads: courseLoad,
};

/** A course of the app that the caller `may` act on, else `denied`. */
function coursePolicy(
  who: string,
  denied: () => AppError,
  may: (course: Course, user: SessionUser, services: Services) => boolean | Promise<boolean>,
): Access<Course, RoomInput> {
  return {
    who,
    check: async (call) => {
      const user = callerOf(call);
      const course = await call.services.courses.get(appOf(call), call.input.roomnum);
      if (!(await may(course, user, call.services))) throw denied();
      return course;
    },
    loads: courseLoad,
  };
}

/** The teacher who owns the course. */
export const courseOwner = (denied: () => AppError) => coursePolicy("course owner", denied, isOwner);

/** The course's teacher, or anyone who has been a member of it (present or past: S11). */
export const courseOwnerOrAttendee = (denied: () => AppError) =>
  coursePolicy("course owner or member (present or past)", denied, (course, user, services) => course.hostUin === user.uin || services.members.hasAttended(course.roomnum, user.uin));

/** Without a roomnum the caller acts on their own library (bindings with no course); with one, `policy` applies. */
export function ownLibraryOr<C>(policy: Access<C, RoomInput>): Access<C | undefined, { roomnum?: number }> {
  return {
    who: `${policy.who}; any user for their own library (no roomnum)`,
    check: (call) => {
      const { roomnum } = call.input;
      return roomnum === undefined ? Promise.resolve(undefined) : policy.check({ ...call, input: { roomnum } });
    },
    loads: policy.loads && { ...policy.loads, namesRoom: (input) => input.roomnum !== undefined },
  };
}

/** Tencent's live (recording, stream) callbacks: `sign` = md5(CALLBACK_KEY + t), `t` not passed. Checked before the payload. */
export const tencentLiveCallback: Access<undefined> = {
  who: "Tencent (signed: md5(key + t))",
  check: ({ services, fields }) => {
    services.callbackAuth.checkLive(fields.t, fields.sign, "live event");
    return Promise.resolve(undefined);
  },
};

/** Tencent IM's callbacks: `Sign` = sha256(CALLBACK_KEY + RequestTime) in the URL, RequestTime within a minute. */
export const tencentImCallback: Access<undefined> = {
  who: "Tencent IM (signed: sha256(key + RequestTime))",
  check: ({ services, query }) => {
    services.callbackAuth.checkIm(query, "replay index");
    return Promise.resolve(undefined);
  },
};

/** Whoever holds a class's signed replay index link (handed out with the course as its index URL). */
export const replayIndexLink: Access<Course> = {
  who: "holders of the signed link (`playback_idx_url`)",
  check: ({ services, fields }) => services.replayIndex.courseOfLink(lenientInteger(fields.roomnum), fields.sig),
};

/** The live heartbeat's room, from memory: a beat for a room that is not a live room of the app does nothing (as the original). */
export const liveRoomFromMemory: Access<CourseFacts | undefined, RoomInput> = {
  who: "any user",
  check: async (call) => {
    try {
      return await call.services.courses.factsOf(appOf(call), call.input.roomnum, RoomMode.live);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.roomNotExist) return undefined;
      throw error;
    }
  },
  loads: { ...liveRoomLoad, unknown: "absent" },
};

/** A live room of the caller's app (in any state; the service judges the state), else 10010; the caller must `may`, else `denied`. */
function liveRoomPolicy<I>(
  who: string,
  roomnumOf: (input: I) => number,
  may?: { check: (room: LiveRoomRecord, user: SessionUser) => boolean; denied: () => AppError },
): Access<LiveRoomRecord, I> {
  return {
    who,
    check: async (call) => {
      const user = callerOf(call);
      const room = await call.services.liveRooms.roomOf(appOf(call), roomnumOf(call.input));
      if (may && !may.check(room, user)) throw may.denied();
      return room;
    },
    loads: liveRoomLoad,
  };
}

const roomnumField = (input: RoomInput) => input.roomnum;

/** Any user, for a live room of their app. */
export const anyUserOfLiveRoom = liveRoomPolicy("any user", roomnumField);

/** The host of a live room of the caller's app (the room named by `roomnumOf`). */
export const liveRoomHost = <I = RoomInput>(denied: () => AppError, roomnumOf: (input: I) => number = roomnumField as (input: I) => number) =>
  liveRoomPolicy<I>("the room's host", roomnumOf, { check: (room, user) => room.hostUin === user.uin, denied });

/** As anyUserOfLiveRoom, but a number naming no live room of the app gives the handler nothing (it answers as the original did). */
export const anyUserOfLiveRoomIfAny: Access<LiveRoomRecord | undefined, RoomInput> = {
  who: "any user",
  check: async (call) => {
    try {
      return await anyUserOfLiveRoom.check(call);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.liveRoomNotExist) return undefined;
      throw error;
    }
  },
  loads: { ...liveRoomLoad, unknown: "absent" },
};

/** `policy` when the input `names` a room (else nothing is loaded: e.g. a live leave, which leaves whatever room the user is in). */
export function whenNamingRoom<C, I>(names: (input: I) => boolean, policy: Access<C, I>): Access<C | undefined, I> {
  return {
    who: policy.who,
    check: (call) => (names(call.input) ? policy.check(call) : Promise.resolve(undefined)),
    loads: policy.loads && { ...policy.loads, namesRoom: (input) => names(input) && policy.loads!.namesRoom(input) },
  };
}

/**
 * `policy`, for an input whose `appidOf` names the caller's own app (live.reportroom's
 * `room.appid`): an app that is not configured, or none, is 10003 "Invalid appid"; another
 * configured app is 10003 "appid is diff from appid of the user." (a room is its host's app's).
 */
export function namingOwnApp<C, I>(appidOf: (input: I) => unknown, policy: Access<C, I>): Access<C, I> {
  return {
    ...policy,
    check: (call) => {
      const named = liveAppNamed(call.services.apps, appidOf(call.input));
      if (!named) throw Errors.requestData(FieldText.live.appid.notConfigured);
      if (named.sdkAppId !== appOf(call).sdkAppId) throw Errors.appidDiffersFromUser();
      return policy.check(call);
    },
  };
}

/** A signed-in console operator (the door has checked the session cookie). */
export const signedInOperator: Access<OperatorSession> = {
  who: "operator",
  check: (call) => {
    if (!call.operator) throw Errors.consoleSessionMissing();
    return Promise.resolve(call.operator);
  },
};

/** A console operator given the app the request names (`appid`): another app is refused, never shown. */
export const operatorOfApp: Access<{ operator: OperatorSession; app: SdkApp }> = {
  who: "operator of the app",
  check: async (call) => {
    const operator = await signedInOperator.check(call);
    const app = appOf(call);
    if (!operator.apps.includes(app.sdkAppId)) throw Errors.consoleAppRefused();
    return { operator, app };
  },
};
