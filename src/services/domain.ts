/** Domain constants shared by services and doors. */

export const Role = { student: 0, teacher: 1 } as const;
export type Role = (typeof Role)[keyof typeof Role];

export const CourseState = { created: 0, living: 1, ended: 2, replayable: 3 } as const;
export type CourseState = (typeof CourseState)[keyof typeof CourseState];

/** Where a class's replay index stands once the class has ended (Course.replayIndexStatus). */
export const ReplayIndexStatus = { waiting: "waiting", requested: "requested", built: "built", failed: "failed" } as const;
export type ReplayIndexStatus = (typeof ReplayIndexStatus)[keyof typeof ReplayIndexStatus];

/** The two kinds of room, one core: a classroom course, a 随心播 live room. */
export const RoomMode = { class: "class", live: "live" } as const;
export type RoomMode = (typeof RoomMode)[keyof typeof RoomMode];
export const ROOM_MODES: readonly RoomMode[] = [RoomMode.class, RoomMode.live];

export const LeaveReason = { left: "left", timeout: "timeout", classEnded: "class_ended" } as const;
export type LeaveReason = (typeof LeaveReason)[keyof typeof LeaveReason];

export const EndReason = { teacher: "teacher", timeout: "timeout", operator: "operator" } as const;
export type EndReason = (typeof EndReason)[keyof typeof EndReason];

/** The caller, as known from a valid token. */
export interface SessionUser {
  uin: number;
  uid: string;
  role: Role;
  appid: number;
}

/** A user's privileges in an AV room, as Tencent's privilege map key gives them (8 bits: create, enter, send and receive audio, video, screen): all. */
export const ALL_ROOM_PRIVILEGES = 255;

/** Largest page the list commands serve. */
export const MAX_PAGE_SIZE = 50;

/** Now, cut to the whole second: the one time rule of every instant stored. Apps see seconds, so
 *  lists filter and order on exactly what apps see (same second → by room number), and no stay
 *  can end before it began (a class's end and a member's join are cut alike). */
export const nowToTheSecond = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);

export const unixSeconds = (date: Date | null | undefined): number => (date ? Math.floor(date.getTime() / 1000) : 0);

/** The IM marker timestamp when a caller gives none: the low 32 bits of now in ms, as apps send. */
export const imTimestampNow = (): number => Date.now() % 4294967296;

/**
 * Account ids are unique per app ignoring letter case: the key they are unique on. The one
 * folding rule is Unicode's default lower-casing (String.prototype.toLowerCase, no locale),
 * which can lengthen an id ("İ" becomes "i" + U+0307): ids are validated on both forms.
 */
export const uidKeyOf = (uid: string): string => uid.toLowerCase();

/** Largest id (PostgreSQL int): room numbers and uins beyond it name nothing. */
export const INT32_MAX = 2147483647;

/** The last second a JavaScript Date holds (±8.64e15 ms): instants beyond it can never be stored. */
export const MAX_UNIX_SECONDS = 8_640_000_000_000;

/** Canonical decimal: no sign on 0 ("-0" is not canonical), no leading zeros, no spaces or exponents. */
const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

/** A JSON integer, or a string holding a canonical decimal integer (protocol.md "Types": some apps send strings). */
export function lenientInteger(value: unknown): number | undefined {
  // JSON -0 is the integer 0.
  if (typeof value === "number") return Number.isSafeInteger(value) ? value + 0 : undefined;
  if (typeof value === "string" && CANONICAL_INTEGER.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** What PostgreSQL can store: well-formed Unicode (no lone surrogates) without NUL. Every string field must be. */
export const isStorableText = (value: string): boolean => value.isWellFormed() && !value.includes("\u0000");
