import { z } from "zod";
import { FieldText } from "../../errors";
import { MAX_PAGE_SIZE } from "../../services/domain";
import { defineCommand } from "../command";
import { int, pagingFields } from "../fields";

export const roomMemberListCommand = defineCommand({
  name: "live.roomidlist",
  auth: "token",
  input: z.object({
    roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }),
    ...pagingFields(FieldText, MAX_PAGE_SIZE),
  }),
  run: ({ app, user, services }, input) => services.members.list(app, user, input.roomnum, input.index, input.size),
  present: (list) => ({ total: list.total, idlist: list.members.map((m) => ({ id: m.uid, role: m.role })) }),
});
