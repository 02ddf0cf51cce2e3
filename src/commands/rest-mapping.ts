import { type AppError, Errors } from "../errors";
import { lenientInteger } from "./fields";

/**
 * A command's REST route, declared with the command: method, path, success status and
 * where each input field comes from. The REST router is built from these (and nothing
 * else), and the REST table of docs/rest.md is rendered from them.
 */

/** Where the REST API is mounted: every route's path is under it. */
export const REST_PREFIX = "/api/v1";

export type InputSource =
  /** A path parameter naming a resource by a positive id: 0 or a negative number names none (`notFound`). */
  | { readonly from: "path"; readonly name: string; readonly notFound: () => AppError }
  | { readonly from: "query"; readonly name: string; readonly default?: string | number }
  | { readonly from: "body"; readonly name: string }
  /** The whole JSON body is this one field (e.g. bind_file). */
  | { readonly from: "wholeBody" }
  /** The bearer token. */
  | { readonly from: "bearer" }
  /** The route itself says it (e.g. operate 0 for "enter"). */
  | { readonly from: "fixed"; readonly value: string | number };

export interface RestMapping {
  method: "get" | "post" | "delete";
  /** Under /api/v1, with :params. */
  path: string;
  /** Each input field and where it comes from; a list is tried in order (first one present). */
  input: Readonly<Record<string, InputSource | readonly InputSource[]>>;
  /** Success status; 204 answers no body. */
  status?: 200 | 201 | 204;
  /** Authenticate the bearer even though the command itself takes no session (logout). */
  session?: boolean;
  /** The JSON body's fields are the input, as on the protocol door (Tencent's callbacks); `input` adds to them. */
  bodyIsInput?: boolean;
  /** The console's session cookie: set from the command's result (`session.sessionId`), or cleared. */
  consoleSession?: "open" | "close";
  /** Answer the list under `rows` of the presented data as a CSV download named `filename`, instead of JSON. */
  csv?: { rows: string; filename: string };
}

export const fromPath = (name: string, notFound: () => AppError): InputSource => ({ from: "path", name, notFound });
/** The course a REST path names. */
export const roomnumInPath: Record<string, InputSource> = { roomnum: fromPath("roomnum", Errors.roomNotExist) };
export const fromQuery = (name: string, fallback?: string | number): InputSource => ({ from: "query", name, default: fallback });
export const fromBody = (name: string): InputSource => ({ from: "body", name });
export const wholeBody: InputSource = { from: "wholeBody" };
export const bearerToken: InputSource = { from: "bearer" };
export const fixed = (value: string | number): InputSource => ({ from: "fixed", value });

/** Each named field from the JSON body under its own name. */
export function bodyFields(...names: string[]): Record<string, InputSource> {
  return Object.fromEntries(names.map((name) => [name, fromBody(name)]));
}

/** Pages of REST lists: `offset` and `limit`, whose default is this many. */
export const DEFAULT_PAGE_LIMIT = 20;
export const restPaging: Record<string, InputSource> = { index: fromQuery("offset", 0), size: fromQuery("limit", DEFAULT_PAGE_LIMIT) };

/** What a request offers the sources. */
export interface RestRequestParts {
  params: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, unknown>>;
  body: Readonly<Record<string, unknown>>;
  bearer: string | undefined;
  /** The client's address (read only when a limit per address applies). */
  address: () => string;
}

function valueOf(source: InputSource, request: RestRequestParts): unknown {
  switch (source.from) {
    case "path": {
      const value = request.params[source.name];
      const id = lenientInteger(value);
      if (id !== undefined && id <= 0) throw source.notFound();
      return value;
    }
    case "query":
      return request.query[source.name] ?? source.default;
    case "body":
      return request.body[source.name];
    case "wholeBody":
      return request.body;
    case "bearer":
      return request.bearer;
    case "fixed":
      return source.value;
  }
}

/** The command's input fields, read from the request as the mapping says. */
export function inputOf(mapping: RestMapping, request: RestRequestParts): Record<string, unknown> {
  const fields: Record<string, unknown> = mapping.bodyIsInput ? { ...request.body } : {};
  for (const [field, sources] of Object.entries(mapping.input)) {
    for (const source of Array.isArray(sources) ? (sources as readonly InputSource[]) : [sources as InputSource]) {
      const value = valueOf(source, request);
      if (value !== undefined) {
        fields[field] = value;
        break;
      }
    }
  }
  return fields;
}

/** How docs/rest.md says where a field comes from. */
export function describeSource(source: InputSource): string {
  switch (source.from) {
    case "path":
      return `:${source.name}`;
    case "query":
      return `?${source.name}`;
    case "body":
      return source.name;
    case "wholeBody":
      return "body";
    case "bearer":
      return "bearer";
    case "fixed":
      return String(source.value);
  }
}
