import { z } from "zod";
import { Errors } from "../../errors";
import { anyUser } from "../access";
import { defineCommand } from "../command";

/**
 * Cross-room co-hosting's link signature: the original ran a closed binary (TEA-based, by its
 * document) whose algorithm is not public, so no server can make one Tencent would take. A clear
 * refusal beats a signature that fails later in the app.
 */
export const liveLinkSigCommand = defineCommand({
  name: "live.linksig",
  dialect: "live",
  summary: "not served: 10001, Tencent's cross-room link signature is made by a closed binary whose algorithm is not public",
  auth: "token",
  access: anyUser,
  input: z.object({}),
  run: () => Promise.reject(Errors.linksigNotServed()),
});
