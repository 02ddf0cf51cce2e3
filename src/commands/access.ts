import type { SdkApp } from "../config";
import { AppError, ErrorCode, Errors, FieldText } from "../errors";
import type { Services } from "../services";
import type { Course, CourseFacts } from "../services/courses";
import { lenientInteger, Role, RoomMode, type SessionUser } from "../services/domain";

/**
 * Access policies: who may call a command. Each command declares one; `execute` checks it
 * after input validation (the original's order), and a course policy loads the course
 * once and hands it to the handler. Unknown course (or one of another app) → 10100; a
 * caller the policy refuses → the command's own 10101 text. Services keep the rules
 * about state (transitions, duplicates), not about who may call.
 */

export interface AccessCall<I> {
  services: Services;
  /** The app of the common fields or the session (none for signed commands). */
  app: SdkApp | undefined;
  /** The caller (token commands). */
  user: SessionUser | undefined;
  /** The validated input. */
  input: I;
  /** The request's fields as sent (signed commands are checked before their input is validated). */
  fields: Readonly<Record<string, unknown>>;
  /** A signed request's query parameters (empty for the others). */
  query: Readonly<Record<string, string>>;
}

export interface Access<C, I = unknown> {
  /** Who may call, as the README's API tables say it. */
  readonly who: string;
  /** Refuses the caller, or returns what the handler works on (the course, or nothing). */
  readonly check: (call: AccessCall<I>) => Promise<C>;
}

interface RoomInput {
  roomnum: number;
}

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

const isOwner = (course: { hostUin: number }, user: SessionUser) => user.role === Role.teacher && course.hostUin === user.uin;

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
};

/** As anyUserOfCourse, from the immutable facts kept in memory (the heartbeat: no SQL once warm). */
export const anyUserOfCourseFromMemory: Access<CourseFacts, RoomInput> = {
  who: "any user",
  check: (call) => call.services.courses.factsOf(appOf(call), call.input.roomnum),
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

/** The live heartbeat's room, from memory: a beat for a room that is not a living live room does nothing (as the original). */
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
};
