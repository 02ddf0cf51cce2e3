import { z } from "zod";
import { FieldText } from "../../errors";
import { MAX_PAGE_SIZE } from "../../services/domain";
import { defineCommand } from "../command";
import { optionalInt, pagingFields } from "../fields";
import { presentBoundFile } from "./presenters";

export const queryBindCommand = defineCommand({
  name: "live.querybind",
  auth: "token",
  input: z.object({
    // 0 (the original's "no course") reads as the caller's library.
    roomnum: optionalInt({ invalid: FieldText.roomnum.invalid }, { min: 0 }),
    from_time: optionalInt({ invalid: FieldText.fromTime.invalid }),
    to_time: optionalInt({ invalid: FieldText.toTime.invalid }),
    ...pagingFields(FieldText, MAX_PAGE_SIZE),
  }),
  run: ({ app, user, services }, input) =>
    services.bindings.query(app, user, { roomnum: input.roomnum || undefined, fromTime: input.from_time, toTime: input.to_time, index: input.index, size: input.size }),
  present: (list) => ({ total: list.total, bind_files: list.files.map(presentBoundFile) }),
});
