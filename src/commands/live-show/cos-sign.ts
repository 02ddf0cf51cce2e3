import { z } from "zod";
import { anyone } from "../access";
import { defineCommand } from "../command";

/**
 * The live apps' room-cover upload signature. They ask without a token (Android posts an empty
 * body, iOS sends a GET with none), so anyone may: where the original handed out a 30-day
 * signature of the whole bucket, this one is short-lived (LIVE_COS_SIGN_EXPIRE_S), for the covers
 * bucket and folder only (LIVE_COVER_BUCKET, LIVE_COVER_PREFIX), limited per client address
 * (LIVE_COS_SIGN_PER_MINUTE), and can be switched off (LIVE_COS_SIGN=false). It creates files
 * there and never overwrites one (a multi-use COS signature cannot).
 */
export const liveCosSignCommand = defineCommand({
  name: "cos.get_sign",
  dialect: "live",
  summary:
    "no token, no input (any method) → `sign`: COS v4 multi-use of `LIVE_COVER_BUCKET` under `LIVE_COVER_PREFIX`, valid `LIVE_COS_SIGN_EXPIRE_S`; `LIVE_COS_SIGN_PER_MINUTE` per address",
  auth: "none",
  access: anyone,
  limits: { perAddress: "coverSign" },
  input: z.object({}),
  run: ({ services }) => Promise.resolve(services.signatures.coverSign()),
  present: (signed) => ({ sign: signed.sign }),
});
