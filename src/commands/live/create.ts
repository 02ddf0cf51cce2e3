import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { Role } from "../../services/domain";
import { defineCommand } from "../command";
import { optionalStr, str } from "../fields";

export const createCommand = defineCommand({
  name: "live.create",
  auth: "token",
  role: { required: Role.teacher, denied: Errors.onlyTeacherCreates },
  input: z.object({
    title: str(FieldText.title, { maxLength: 128 }),
    cover: optionalStr(FieldText.cover, { maxLength: 1024 }),
  }),
  run: ({ app, user, services }, input) => services.courses.create(app, user, input),
  present: (course) => ({ roomnum: course.roomnum, groupid: course.groupid }),
});
