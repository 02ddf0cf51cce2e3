import { z } from "zod";
import { anyUser } from "../access";
import { defineCommand } from "../command";
import { bodyFields } from "../rest-mapping";
import { vodRequestSchema } from "./vod-fields";

export const vodGetSignCommand = defineCommand({
  name: "vod.get_sign",
  dialect: "classroom",
  summary: "Cloud API v2 signature of `method` `host` `path` `params` (SecretId filled in), for `VOD_SIGN_HOSTS` and `VOD_SIGN_ACTIONS` only, path `/v2/index.php`, `Timestamp` at most a day ahead",
  auth: "token",
  access: anyUser,
  input: vodRequestSchema,
  run: ({ services }, input) => Promise.resolve(services.signatures.vodSign(input)),
  output: z.object({ sign: z.string(), SecretId: z.string(), SignatureMethod: z.string() }),
  present: (s) => ({ sign: s.sign, SecretId: s.secretId, SignatureMethod: s.signatureMethod }),
  rest: { method: "post", path: "/signatures/vod", input: bodyFields("method", "host", "path", "params") },
});
