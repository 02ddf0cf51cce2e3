import { z } from "zod";
import { FieldText } from "../../errors";
import { defineCommand } from "../command";
import { optionalInt } from "../fields";
import { bindingWriters, bindUrl } from "../live/reportbind";
import { fromBody, fromQuery, roomnumInPath } from "../rest-mapping";

const url = [fromBody("url"), fromQuery("url")];

/** Unbinding over REST needs only the url (the protocol's reportbind also wants type and name). */
export const unbindCommand = defineCommand({
  name: "bindings.unbind",
  dialect: "rest",
  summary: "unbinds `url` (body or `?url=`) from a course or the caller's library",
  auth: "token",
  access: bindingWriters,
  input: z.object({ roomnum: optionalInt({ invalid: FieldText.roomnum.invalid }, { min: 1 }), url: bindUrl }),
  run: ({ user, course, services }, input) => services.bindings.unbind(user, course, input.url),
  rest: [
    { method: "delete", path: "/courses/:roomnum/bindings", status: 204, input: { ...roomnumInPath, url } },
    { method: "delete", path: "/library/bindings", status: 204, input: { url } },
  ],
});
