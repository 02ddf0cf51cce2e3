import { z } from "zod";
import { FieldText } from "../../errors";
import { anyUserOfCourse } from "../access";
import { defineCommand } from "../command";
import { int, oneOf } from "../fields";
import { fixed, roomnumInPath } from "../rest-mapping";

export const MemberOperation = { enter: 0, leave: 1 } as const;

export const reportMemberCommand = defineCommand({
  name: "live.reportmemid",
  dialect: "classroom",
  summary: "`roomnum`, `operate` 0 enter (IM marker 1003) / 1 leave",
  auth: "token",
  access: anyUserOfCourse,
  input: z.object({
    roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }),
    operate: oneOf(FieldText.operate, [MemberOperation.enter, MemberOperation.leave] as const),
  }),
  run: ({ app, user, course, timeStamp, services }, input) =>
    input.operate === MemberOperation.enter ? services.members.enter(app, user, course, timeStamp) : services.members.leave(user, course),
  rest: [
    { method: "post", path: "/courses/:roomnum/members", input: { ...roomnumInPath, operate: fixed(MemberOperation.enter) } },
    { method: "delete", path: "/courses/:roomnum/members", status: 204, input: { ...roomnumInPath, operate: fixed(MemberOperation.leave) } },
  ],
});
