import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { MAX_PAGE_SIZE } from "../../services/domain";
import { courseOwnerOrAttendee, ownLibraryOr } from "../access";
import { defineCommand } from "../command";
import { optionalInt, pagingFields } from "../fields";
import { fromQuery, restPaging, roomnumInPath } from "../rest-mapping";
import { BoundFileShape, pageShape, presentBoundFile } from "./presenters";

const timeFilters = { from_time: fromQuery("from_time"), to_time: fromQuery("to_time") };

export const queryBindCommand = defineCommand({
  name: "live.querybind",
  dialect: "classroom",
  summary: "a course's bindings (`roomnum`) or the caller's library (none, or 0), paged, `from_time`/`to_time`",
  auth: "token",
  access: ownLibraryOr(courseOwnerOrAttendee(Errors.onlyMembersQueryBindings)),
  input: z.object({
    // 0 (the original's "no course") reads as the caller's library.
    roomnum: optionalInt({ invalid: FieldText.roomnum.invalid }, { min: 0, zeroIsAbsent: true }),
    from_time: optionalInt({ invalid: FieldText.fromTime.invalid }),
    to_time: optionalInt({ invalid: FieldText.toTime.invalid }),
    ...pagingFields(FieldText, MAX_PAGE_SIZE),
  }),
  run: ({ user, course, services }, input) =>
    services.bindings.query(user, course, { fromTime: input.from_time, toTime: input.to_time, index: input.index, size: input.size }),
  output: pageShape("bind_files", BoundFileShape),
  present: (list) => ({ total: list.total, bind_files: list.files.map(presentBoundFile) }),
  rest: [
    { method: "get", path: "/courses/:roomnum/bindings", input: { ...roomnumInPath, ...timeFilters, ...restPaging } },
    { method: "get", path: "/library/bindings", input: { ...timeFilters, ...restPaging } },
  ],
});
