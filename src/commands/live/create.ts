import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { teacher } from "../access";
import { defineCommand } from "../command";
import { optionalStr, str } from "../fields";
import { bodyFields } from "../rest-mapping";

export const createCommand = defineCommand({
  name: "live.create",
  dialect: "classroom",
  summary: "`title`, `cover` → `roomnum` (from 10001), `groupid`",
  auth: "token",
  access: teacher(Errors.onlyTeacherCreates),
  input: z.object({
    title: str(FieldText.title, { maxLength: 128 }),
    cover: optionalStr(FieldText.cover, { maxLength: 1024 }),
  }),
  run: ({ app, user, services }, input) => services.courses.create(app, user, input),
  output: z.object({ roomnum: z.int(), groupid: z.string() }),
  present: (course) => ({ roomnum: course.roomnum, groupid: course.groupid }),
  rest: { method: "post", path: "/courses", status: 201, input: bodyFields("title", "cover") },
});
