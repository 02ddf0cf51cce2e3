import { z } from "zod";
import { anyUser } from "../access";
import { defineCommand } from "../command";

export const vodGetClientSignCommand = defineCommand({
  name: "vod.get_client_sign",
  dialect: "classroom",
  summary: "VOD client-upload signature (valid `VOD_UPLOAD_SIGN_EXPIRE_S`; the media carries the uploader's app and id)",
  auth: "token",
  access: anyUser,
  input: z.object({}),
  run: ({ user, services }) => Promise.resolve(services.signatures.vodUploadSign(user)),
  output: z.object({ sign: z.string(), SecretId: z.string() }),
  present: (s) => ({ sign: s.sign, SecretId: s.secretId }),
  rest: { method: "post", path: "/signatures/vod-upload", input: {} },
});
