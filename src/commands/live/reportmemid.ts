import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { int, oneOf } from "../fields";

export const MemberOperation = { enter: 0, leave: 1 } as const;

export const reportMemberCommand = defineCommand({
  name: "live.reportmemid",
  auth: "token",
  input: z.object({
    roomnum: int({ lack: FieldText.roomnum.lack, invalid: FieldText.roomnum.invalidSpaced }),
    operate: oneOf(FieldText.operate, [MemberOperation.enter, MemberOperation.leave] as const),
  }),
  run: ({ app, user, timeStamp, services }, input) =>
    input.operate === MemberOperation.enter
      ? services.members.enter(app, user, input.roomnum, timeStamp)
      : services.members.leave(app, user, input.roomnum),
});
