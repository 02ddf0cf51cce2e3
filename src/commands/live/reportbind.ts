import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { obj, oneOf, optionalInt, str } from "../fields";

export const BindOperation = { bind: 0, unbind: 1 } as const;
export const FileType = { courseware: 0, video: 1 } as const;

const texts = FieldText.bindFile;

/** bind_file as apps send it; FIX (B11): type 0|1, non-empty file_name and url. */
export const bindFileSchema = obj(
  { lack: texts.lack, invalid: texts.invalid },
  {
    type: oneOf({ lack: texts.lackType, invalid: texts.invalidType }, [FileType.courseware, FileType.video] as const, { nullIsInvalid: true }),
    file_name: str({ lack: texts.lackFileName, invalid: texts.invalidFileName }, { nonEmpty: true, maxLength: 256, nullIsInvalid: true }),
    url: str({ lack: texts.lackUrl, invalid: texts.invalidUrl }, { nonEmpty: true, maxLength: 2048, nullIsInvalid: true }),
  },
);

export const reportBindCommand = defineCommand({
  name: "live.reportbind",
  auth: "token",
  input: z.object({
    roomnum: optionalInt({ invalid: FieldText.roomnum.invalid }, { min: 1 }),
    operate: oneOf(FieldText.operate, [BindOperation.bind, BindOperation.unbind] as const),
    bind_file: bindFileSchema,
  }),
  run: ({ app, user, services }, input) => {
    const file = { type: input.bind_file.type, fileName: input.bind_file.file_name, url: input.bind_file.url };
    return input.operate === BindOperation.bind
      ? services.bindings.bind(app, user, input.roomnum, file)
      : services.bindings.unbind(app, user, input.roomnum, file.url);
  },
});
