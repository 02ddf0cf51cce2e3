/**
 * Attendance: how long a member was in a class, from their stays (a rejoin opens a new one).
 * Shared by the console and the attendance.ready webhook.
 */

/** A member's attendance of one class: stays merged where they overlap (a rejoin), minutes present, first join, last leave. */
export interface Attendance {
  uid: string;
  role: number;
  minutes: number;
  firstJoin: Date;
  /** null while still present. */
  lastLeave: Date | null;
  stays: number;
}

/** Each member's attendance from a class's stays (oldest first), in order of first join; open stays count until `endOfOpenMs`. */
export function attendanceOf(stays: ReadonlyArray<{ uid: string; role: number; joinedAt: Date; leftAt: Date | null }>, endOfOpenMs: number): Attendance[] {
  const byMember = new Map<string, Array<(typeof stays)[number]>>();
  for (const stay of stays) byMember.set(stay.uid, [...(byMember.get(stay.uid) ?? []), stay]);
  return [...byMember].map(([uid, own]) => ({ uid, role: own[0]!.role, ...presenceOf(own, endOfOpenMs), stays: own.length }));
}

/** One member's stays in one class (oldest first): minutes present, first join, last leave (null while a stay is open, which counts until `endOfOpenMs`). */
export function presenceOf(stays: ReadonlyArray<{ joinedAt: Date; leftAt: Date | null }>, endOfOpenMs: number): { minutes: number; firstJoin: Date; lastLeave: Date | null } {
  const open = stays.some((s) => s.leftAt === null);
  return {
    minutes: minutesOf(stays.map((s) => [s.joinedAt.getTime(), s.leftAt?.getTime() ?? endOfOpenMs] as const)),
    firstJoin: stays[0]!.joinedAt,
    lastLeave: open ? null : new Date(Math.max(...stays.map((s) => s.leftAt!.getTime()))),
  };
}

/** Minutes covered by stays [join, leave) in ms, overlaps counted once (a rejoin while the old stay was still open), to a tenth. */
export function minutesOf(stays: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...stays].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [Number.NaN, Number.NaN];
  for (const [join, leave] of sorted) {
    if (Number.isNaN(start) || join > end) {
      if (!Number.isNaN(start)) total += end - start;
      [start, end] = [join, Math.max(join, leave)];
    } else end = Math.max(end, leave);
  }
  if (!Number.isNaN(start)) total += end - start;
  return Math.round(total / 6000) / 10;
}

