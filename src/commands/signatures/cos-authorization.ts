import { z } from "zod";
import { FieldText } from "../../errors";
import { anyUser } from "../access";
import { defineCommand } from "../command";
import { str, strOneOf } from "../fields";
import { fromQuery } from "../rest-mapping";

/** For new clients: a COS XML API (v5) authorization of one request, short-lived, on the caller's own folder. */
export const cosAuthorizationCommand = defineCommand({
  name: "cos.authorization",
  dialect: "rest",
  summary: "COS v5 `Authorization` for `method` on `key` under `/<sdkappid>/<uid>/` of the default bucket (its host signed), valid `COS_AUTH_EXPIRE_S`",
  auth: "token",
  access: anyUser,
  input: z.object({
    method: strOneOf(FieldText.method, ["GET", "PUT", "POST", "DELETE"] as const),
    key: str(FieldText.cosKey, { nonEmpty: true, maxLength: 1024 }),
  }),
  run: ({ user, services }, input) => Promise.resolve(services.signatures.cosAuthorization(user, input)),
  output: z.object({ authorization: z.string(), bucket: z.string(), region: z.string(), key: z.string(), expired_time: z.int() }),
  present: (a) => ({ authorization: a.authorization, bucket: a.bucket, region: a.region, key: a.key, expired_time: a.expiredTime }),
  rest: { method: "get", path: "/cos/authorization", input: { method: fromQuery("method"), key: fromQuery("key") } },
});
