import { z } from "zod";
import { FieldText } from "../../errors";
import { unixSeconds } from "../../services/domain";
import { operatorOfApp } from "../access";
import { defineCommand } from "../command";
import { int, str } from "../fields";
import { fromPath, fromQuery, roomnumInPath } from "../rest-mapping";
import { Errors } from "../../errors";
import { idRules } from "../account/rules";
import { consoleAppInput } from "./live";

const minutes = z.number().meta({ description: "minutes present, stays merged where they overlap, to a tenth" });

const CourseAttendanceShape = z.object({
  roomnum: z.int(),
  members: z.array(
    z.object({
      uid: z.string(),
      role: z.int(),
      minutes,
      first_join: z.int(),
      last_leave: z.int().meta({ description: "unix seconds; 0 while present" }),
      stays: z.int(),
    }),
  ),
});

/** A class's attendance: each member's minutes present (a rejoin merged), first join, last leave; as JSON or CSV. */
export const consoleAttendanceCommand = defineCommand({
  name: "console.attendance",
  dialect: "rest",
  summary: "a class's attendance: each member's minutes present (stays merged when they rejoin), first join, last leave, number of stays",
  auth: "console",
  access: operatorOfApp,
  input: z.object({ ...consoleAppInput, roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.listInvalid }) }),
  run: async ({ course: { app }, services }, input) => ({ roomnum: input.roomnum, members: await services.console.attendance(app, input.roomnum) }),
  output: CourseAttendanceShape,
  present: ({ roomnum, members }) => ({
    roomnum,
    members: members.map((m) => ({ uid: m.uid, role: m.role, minutes: m.minutes, first_join: unixSeconds(m.firstJoin), last_leave: unixSeconds(m.lastLeave), stays: m.stays })),
  }),
  rest: [
    { method: "get", path: "/console/courses/:roomnum/attendance", input: { ...roomnumInPath, appid: fromQuery("appid") } },
    { method: "get", path: "/console/courses/:roomnum/attendance.csv", input: { ...roomnumInPath, appid: fromQuery("appid") }, csv: { rows: "members", filename: "attendance.csv" } },
  ],
});

const MemberAttendanceShape = z.object({
  uid: z.string(),
  courses: z.array(z.object({ roomnum: z.int(), title: z.string(), minutes, first_join: z.int(), last_leave: z.int() })),
});

const uidInPath = { uid: fromPath("uid", Errors.userNotExist) };

/** The classes one member (teacher or student, by exact id) attended, newest first; as JSON or CSV. */
export const consoleMemberAttendanceCommand = defineCommand({
  name: "console.member-attendance",
  dialect: "rest",
  summary: "the classes one member of the app attended, newest first: minutes present, first join, last leave",
  auth: "console",
  access: operatorOfApp,
  input: z.object({ ...consoleAppInput, uid: str(FieldText.id, idRules) }),
  run: async ({ course: { app }, services }, input) => ({ uid: input.uid, courses: await services.console.attendedBy(app, input.uid) }),
  output: MemberAttendanceShape,
  present: ({ uid, courses }) => ({
    uid,
    courses: courses.map((c) => ({ roomnum: c.roomnum, title: c.title, minutes: c.minutes, first_join: unixSeconds(c.firstJoin), last_leave: unixSeconds(c.lastLeave) })),
  }),
  rest: [
    { method: "get", path: "/console/members/:uid/attendance", input: { ...uidInPath, appid: fromQuery("appid") } },
    { method: "get", path: "/console/members/:uid/attendance.csv", input: { ...uidInPath, appid: fromQuery("appid") }, csv: { rows: "courses", filename: "member-attendance.csv" } },
  ],
});
