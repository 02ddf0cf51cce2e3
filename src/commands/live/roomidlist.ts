import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { MAX_PAGE_SIZE } from "../../services/domain";
import { courseOwnerOrAttendee } from "../access";
import { defineCommand } from "../command";
import { int, pagingFields } from "../fields";
import { restPaging, roomnumInPath } from "../rest-mapping";
import { MemberIdsShape } from "./presenters";

export const roomMemberListCommand = defineCommand({
  name: "live.roomidlist",
  dialect: "classroom",
  summary: "present members `{id, role}`, paged by `index`, `size`",
  auth: "token",
  access: courseOwnerOrAttendee(Errors.onlyMembersListMembers),
  input: z.object({
    roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }),
    ...pagingFields(FieldText, MAX_PAGE_SIZE),
  }),
  run: ({ course, services }, input) => services.members.list(course, input.index, input.size),
  output: MemberIdsShape,
  present: (list) => ({ total: list.total, idlist: list.members.map((m) => ({ id: m.uid, role: m.role })) }),
  rest: { method: "get", path: "/courses/:roomnum/members", input: { ...roomnumInPath, ...restPaging } },
});
