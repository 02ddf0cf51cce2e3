import { z } from "zod";
import { FieldText } from "../../errors";
import { SignatureType } from "../../services/signatures";
import { anyUser } from "../access";
import { defineCommand } from "../command";
import { oneOf, optionalStr } from "../fields";
import { bodyFields } from "../rest-mapping";

export const cosGetSignCommand = defineCommand({
  name: "cos.get_sign",
  dialect: "classroom",
  summary: "COS v4 signature: `type` 0 multi-use (`COS_SIGN_EXPIRE_S`) / 1 single-use (`file_path`; teachers under `/<sdkappid>/`, students under `/<sdkappid>/<uid>/`), `bucket` (allowed ones)",
  auth: "token",
  access: anyUser,
  input: z
    .object({
      type: oneOf(FieldText.type, [SignatureType.multiUse, SignatureType.singleUse] as const),
      bucket: optionalStr(FieldText.bucket, { maxLength: 64 }),
      file_path: optionalStr(FieldText.filePath, { maxLength: 1024 }),
    })
    .superRefine((input, ctx) => {
      if (input.type === SignatureType.singleUse && !input.file_path) ctx.addIssue({ code: "custom", message: FieldText.filePath.lack });
    }),
  run: ({ user, services }, input) => Promise.resolve(services.signatures.cosSign(user, { type: input.type, bucket: input.bucket, filePath: input.file_path })),
  output: z.object({ sign: z.string(), bucket: z.string(), region: z.string(), preview_tag: z.string() }),
  present: (s) => ({ sign: s.sign, bucket: s.bucket, region: s.region, preview_tag: s.previewTag }),
  rest: { method: "post", path: "/signatures/cos", input: bodyFields("type", "bucket", "file_path") },
});
