import { z } from "zod";
import { Errors, FieldText } from "../../errors";
import { courseOwner, ownLibraryOr } from "../access";
import { defineCommand } from "../command";
import { obj, oneOf, optionalInt, str } from "../fields";
import { fixed, roomnumInPath, wholeBody } from "../rest-mapping";

export const BindOperation = { bind: 0, unbind: 1 } as const;
export const FileType = { courseware: 0, video: 1 } as const;

const texts = FieldText.bindFile;

/** bind_file.url as apps send it; FIX (B11): non-empty. */
export const bindUrl = str({ lack: texts.lackUrl, invalid: texts.invalidUrl }, { nonEmpty: true, maxLength: 2048, nullIsInvalid: true });

/** bind_file as apps send it; FIX (B11): type 0|1, non-empty file_name and url. */
export const bindFileSchema = obj(
  { lack: texts.lack, invalid: texts.invalid },
  {
    type: oneOf({ lack: texts.lackType, invalid: texts.invalidType }, [FileType.courseware, FileType.video] as const, { nullIsInvalid: true }),
    file_name: str({ lack: texts.lackFileName, invalid: texts.invalidFileName }, { nonEmpty: true, maxLength: 256, nullIsInvalid: true }),
    url: bindUrl,
  },
);

/** A course's binding is changed by its teacher; without roomnum, anyone changes their own library. */
export const bindingWriters = ownLibraryOr(courseOwner(Errors.onlyOwnerBinds));

export const reportBindCommand = defineCommand({
  name: "live.reportbind",
  dialect: "classroom",
  summary: "`operate` 0 bind / 1 unbind, `bind_file {type, file_name, url}`; `roomnum` (a course) or none (own library)",
  auth: "token",
  access: bindingWriters,
  input: z.object({
    roomnum: optionalInt({ invalid: FieldText.roomnum.invalid }, { min: 1 }),
    operate: oneOf(FieldText.operate, [BindOperation.bind, BindOperation.unbind] as const),
    bind_file: bindFileSchema,
  }),
  run: ({ user, course, services }, input) => {
    const file = { type: input.bind_file.type, fileName: input.bind_file.file_name, url: input.bind_file.url };
    return input.operate === BindOperation.bind ? services.bindings.bind(user, course, file) : services.bindings.unbind(user, course, file.url);
  },
  rest: [
    {
      method: "post",
      path: "/courses/:roomnum/bindings",
      status: 201,
      input: { ...roomnumInPath, operate: fixed(BindOperation.bind), bind_file: wholeBody },
    },
    { method: "post", path: "/library/bindings", status: 201, input: { operate: fixed(BindOperation.bind), bind_file: wholeBody } },
  ],
});
