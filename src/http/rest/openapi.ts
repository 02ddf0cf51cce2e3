import { z } from "zod";
import { type AnyCommand, restRoutesOf } from "../../commands/command";
import { acceptedJsonSchema } from "../../commands/fields";
import { restCommands } from "../../commands/registry";
import { type InputSource, REST_PREFIX, type RestMapping } from "../../commands/rest-mapping";
import { ErrorCode, type ErrorCodeValue } from "../../errors";
import { CALLBACK_ANSWER_SHAPES, type CallbackEnvelope } from "../callback-answers";
import { httpStatusOf, STATUS_OF_KIND } from "./status";

/**
 * The OpenAPI 3.1 document of the REST API, derived from the command declarations and
 * nothing else: paths and parameters from their REST mappings, parameter and body schemas
 * from their input schemas, answers from their output shapes, errors from the one error
 * table and the statuses the door gives them. test/support/openapi-check.ts validates every
 * REST answer the suite receives against it.
 */

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

/** Where the document is served, and the page that reads it. */
export const OPENAPI_PATH = `${REST_PREFIX}/openapi.json`;

const ALL_CODES = Object.values(ErrorCode).filter((code) => code !== ErrorCode.success);

/** The codes an error answer with this status may carry. */
function codesAnswering(status: number): ErrorCodeValue[] {
  // An error kind with a status of its own may carry any code (a credentials refusal: 10005, 10006…).
  if ((Object.values(STATUS_OF_KIND) as number[]).includes(status)) return ALL_CODES;
  return ALL_CODES.filter((code) => httpStatusOf(code) === status);
}

const errorRef = (status: number) => ({ $ref: `#/components/schemas/Error${status}` });

function errorSchema(codes: readonly number[]): JsonSchema {
  return {
    type: "object",
    required: ["errorCode", "errorInfo"],
    properties: {
      errorCode: { type: "integer", enum: codes },
      errorInfo: { type: "string", description: "the protocol's text for the code (docs/protocol.md)" },
      data: { type: "object", description: "details of some refusals (a rate limit: `retryAfter` seconds)" },
    },
  };
}

/** Error statuses every operation may answer, with what they mean. */
const ERROR_STATUSES: Record<number, string> = {
  400: "malformed JSON or an invalid field (the text names the field)",
  401: "no token, an unknown or expired one, or wrong credentials",
  403: "the caller may not do this",
  404: "no such resource (or an unknown path)",
  408: "the body arrived too slowly",
  409: "the resource is in another state",
  413: "the body is larger than BODY_LIMIT_BYTES",
  429: "over an abuse limit; `Retry-After` says when to try again",
  500: "an internal failure (logged with the request id)",
  502: "IM refused a message the command needed",
};

function errorResponse(status: number): JsonSchema {
  const headers = status === 429 ? { headers: { "Retry-After": { description: "seconds until the limit allows a request", schema: { type: "integer" } } } } : {};
  return { description: ERROR_STATUSES[status], ...headers, content: { "application/json": { schema: errorRef(status) } } };
}

/** The JSON Schema of one of a command's input fields (`{}` for a field whose schema says nothing). */
function fieldSchemas(command: AnyCommand): { properties: Record<string, JsonSchema>; required: Set<string> } {
  const schema = acceptedJsonSchema(command.input as z.ZodType);
  return { properties: (schema.properties as Record<string, JsonSchema> | undefined) ?? {}, required: new Set((schema.required as string[] | undefined) ?? []) };
}

const sourcesOf = (sources: InputSource | readonly InputSource[]): readonly InputSource[] =>
  Array.isArray(sources) ? (sources as readonly InputSource[]) : [sources as InputSource];

/** Path and query parameters, and the JSON body's schema, of one route. */
function requestOf(command: AnyCommand, route: RestMapping): { parameters: JsonSchema[]; body: JsonSchema | undefined } {
  const fields = fieldSchemas(command);
  const parameters: JsonSchema[] = [];
  const bodyProperties: Record<string, JsonSchema> = route.bodyIsInput ? { ...fields.properties } : {};
  const bodyRequired = new Set(route.bodyIsInput ? fields.required : []);
  let wholeBody: JsonSchema | undefined;
  for (const [field, sources] of Object.entries(route.input)) {
    const schema = fields.properties[field] ?? {};
    const required = fields.required.has(field) && sourcesOf(sources).length === 1;
    for (const source of sourcesOf(sources)) {
      if (source.from === "path") parameters.push({ name: source.name, in: "path", required: true, schema });
      else if (source.from === "query") parameters.push({ name: source.name, in: "query", required: required && source.default === undefined, schema: withDefault(schema, source.default) });
      else if (source.from === "body") {
        bodyProperties[source.name] = schema;
        if (required) bodyRequired.add(source.name);
      } else if (source.from === "wholeBody") wholeBody = schema;
    }
  }
  if (command.auth === "none") addAppid(route, parameters, bodyProperties, bodyRequired);
  if (wholeBody) return { parameters, body: wholeBody };
  const hasBody = route.method === "post" && (Object.keys(bodyProperties).length > 0 || route.bodyIsInput === true);
  const body = { type: "object", properties: bodyProperties, ...(bodyRequired.size ? { required: [...bodyRequired] } : {}) };
  return { parameters, body: hasBody ? body : undefined };
}

const withDefault = (schema: JsonSchema, fallback: string | number | undefined) => (fallback === undefined ? schema : { ...schema, default: fallback });

/** Commands that take no session name their app by `appid`: in the body of a POST, else in the query. */
function addAppid(route: RestMapping, parameters: JsonSchema[], body: Record<string, JsonSchema>, required: Set<string>): void {
  const appid = { type: "integer", description: "the SDK app (SDK_APPS)" };
  if (route.method === "post") {
    body.appid = appid;
    required.add("appid");
  } else parameters.push({ name: "appid", in: "query", required: true, schema: appid });
}

/** The success answer: the presenter's shape, `{}` without one, nothing for 204, Tencent's shapes for callbacks. */
function successOf(command: AnyCommand, route: RestMapping): [string, JsonSchema] {
  const status = route.status ?? 200;
  if (status === 204) return ["204", { description: "done" }];
  const envelope = command.envelope ?? "standard";
  const schema =
    envelope !== "standard"
      ? { $ref: `#/components/schemas/${callbackSchemaName(envelope)}` }
      : command.output
        ? z.toJSONSchema(command.output as z.ZodType, { io: "output", target: "draft-2020-12" })
        : { type: "object", maxProperties: 0 };
  delete (schema as JsonSchema).$schema;
  if (route.csv) return [String(status), { description: `${command.summary}, as CSV (the columns of \`${route.csv.rows}\`)`, content: { "text/csv": { schema: { type: "string" } } } }];
  return [String(status), { description: command.summary, content: { "application/json": { schema } } }];
}

const callbackSchemaName = (envelope: CallbackEnvelope) => `${envelope[0]?.toUpperCase()}${envelope.slice(1)}Answer`;

/** Error answers of one route: those every route may give, by name; the rest under `default`. */
function errorsOf(command: AnyCommand, route: RestMapping, hasBody: boolean): Record<string, JsonSchema> {
  const statuses = [400, 429, 500];
  if (route.session ?? (command.auth === "token" || (command.auth === "console" && route.consoleSession !== "open"))) statuses.push(401);
  if (hasBody) statuses.push(408, 413);
  const responses: Record<string, JsonSchema> = Object.fromEntries(statuses.sort().map((status) => [String(status), errorResponse(status)]));
  responses.default = {
    description: "another refusal: 401, 403, 404, 409 or 502 as the code says (docs/protocol.md has the table)",
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
  return responses;
}

const openApiPath = (path: string) => `${REST_PREFIX}${path.replace(/:(\w+)/g, "{$1}")}`;

/**
 * Tencent's callbacks answer in Tencent's shape: 200 done or never acceptable (the code says
 * which), 401 a signature refused, 500 a failure Tencent retries; a body that is not JSON
 * answers the standard error.
 */
function callbackErrorsOf(envelope: CallbackEnvelope): Record<string, JsonSchema> {
  const answer = (description: string) => ({ description, content: { "application/json": { schema: { $ref: `#/components/schemas/${callbackSchemaName(envelope)}` } } } });
  return {
    "400": errorResponse(400),
    "401": answer("the signature or token is refused"),
    "408": errorResponse(408),
    "413": errorResponse(413),
    "500": answer("an internal failure: Tencent calls again"),
  };
}

/** The bearer token of app sessions, or the console's session cookie (a change also carries X-CSRF-Token). */
function securityOf(command: AnyCommand, route: RestMapping): Operation {
  if (command.auth === "console") return route.consoleSession === "open" ? {} : { security: [{ consoleSession: [] }] };
  return route.session ?? command.auth === "token" ? { security: [{ bearer: [] }] } : {};
}

function operationOf(command: AnyCommand, route: RestMapping, index: number): Operation {
  const { parameters, body } = requestOf(command, route);
  const [status, success] = successOf(command, route);
  const envelope = command.envelope ?? "standard";
  const errors = envelope === "standard" ? errorsOf(command, route, body !== undefined) : callbackErrorsOf(envelope);
  return {
    operationId: index === 0 ? command.name : `${command.name}.${index + 1}`,
    summary: command.summary,
    tags: [command.name.split(".")[0]],
    ...(parameters.length ? { parameters } : {}),
    ...(body ? { requestBody: { required: true, content: { "application/json": { schema: body } } } } : {}),
    ...securityOf(command, route),
    responses: { [status]: success, ...errors },
  };
}

function components(): JsonSchema {
  const errors = Object.fromEntries(Object.keys(ERROR_STATUSES).map((status) => [`Error${status}`, errorSchema(codesAnswering(Number(status)))]));
  const callbacks = Object.fromEntries(
    (Object.keys(CALLBACK_ANSWER_SHAPES) as CallbackEnvelope[]).map((envelope) => {
      const { $schema: _dialect, ...schema } = z.toJSONSchema(CALLBACK_ANSWER_SHAPES[envelope], { io: "output" }) as JsonSchema;
      return [callbackSchemaName(envelope), schema];
    }),
  );
  return {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer", description: "the token `POST /api/v1/sessions` answers" },
      consoleSession: {
        type: "apiKey",
        in: "cookie",
        name: "sxb_console",
        description: "the operator console's session (`POST /api/v1/console/sessions` sets it); every change also sends the session's `csrf` in the X-CSRF-Token header",
      },
    },
    schemas: { Error: errorSchema(ALL_CODES), ...errors, ...callbacks },
  };
}

/** The document, built once per process from the registry. */
export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const command of restCommands()) {
    restRoutesOf(command).forEach((route, index) => {
      const operations = (paths[openApiPath(route.path)] ??= {});
      operations[route.method] = operationOf(command, route, index);
    });
  }
  return {
    openapi: "3.1.1",
    info: {
      title: "sxb-edu REST API",
      version,
      description: "The classroom backend's REST API: the same commands, rules and answers as the app protocols (docs/rest.md). Errors carry the protocol's code and text.",
    },
    paths,
    components: components(),
  };
}
