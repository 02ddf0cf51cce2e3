import { z } from "zod";
import { FieldText } from "../../errors";
import { credentialLimits, idRules, passwordRules } from "../account/rules";
import { anyone, signedInOperator } from "../access";
import { defineCommand } from "../command";
import { str } from "../fields";
import { bodyFields } from "../rest-mapping";
import type { OperatorSession } from "../../services/operators";

/** What the console learns of its operator: who, which apps, and the CSRF token its changes carry. */
export const OperatorShape = z.object({ id: z.string(), apps: z.array(z.int()), csrf: z.string() });
const presentOperator = (session: OperatorSession): z.input<typeof OperatorShape> => ({ id: session.uid, apps: session.apps, csrf: session.csrf });

/** An operator signs in: the session is a cookie (HttpOnly, SameSite=Strict, Secure behind TLS) the door sets. */
export const consoleLoginCommand = defineCommand({
  name: "console.login",
  dialect: "rest",
  summary: "an operator signs in with `id`, `pwd` → `{id, apps, csrf}` and the session cookie; limited as app logins are",
  auth: "console",
  access: anyone,
  limits: credentialLimits("id"),
  input: z.object({ id: str(FieldText.id, idRules), pwd: str(FieldText.pwd, passwordRules) }),
  run: ({ services }, input) => services.operators.login(input.id, input.pwd),
  output: OperatorShape,
  present: (result) => presentOperator(result.session),
  rest: { method: "post", path: "/console/sessions", status: 201, input: bodyFields("id", "pwd"), consoleSession: "open" },
});

/** The signed-in operator (the console asks on load: signed in or not, and the CSRF token). */
export const consoleSessionCommand = defineCommand({
  name: "console.session",
  dialect: "rest",
  summary: "the signed-in operator `{id, apps, csrf}`",
  auth: "console",
  access: signedInOperator,
  input: z.object({}),
  run: ({ course }) => Promise.resolve(course),
  output: OperatorShape,
  present: presentOperator,
  rest: { method: "get", path: "/console/session", input: {} },
});

export const consoleLogoutCommand = defineCommand({
  name: "console.logout",
  dialect: "rest",
  summary: "the operator signs out: the session ends and its cookie is cleared",
  auth: "console",
  access: signedInOperator,
  input: z.object({}),
  run: ({ course, services }) => services.operators.logout(course.sessionId),
  rest: { method: "delete", path: "/console/sessions/current", status: 204, input: {}, consoleSession: "close" },
});
