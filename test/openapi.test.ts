import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { restRoutesOf } from "../src/commands/command";
import { restCommands } from "../src/commands/registry";
import { C, signUpClassroom, startTestServer, type TestServer } from "./support/harness";
import { OpenApiCheck } from "./support/openapi-check";

/**
 * The REST API's OpenAPI 3.1 document (GET /api/v1/openapi.json), derived from the command
 * declarations, and its reference page (GET /api/docs). Every REST answer of the whole suite
 * is validated against the document by the request helper (test/support/openapi-check.ts);
 * here: the document is valid OpenAPI 3.1 by an independent validator, it holds every route,
 * the check refuses what drifts, and the page is served from the npm bundle.
 */

let t: TestServer;
let document: {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ name: string; in: string; required: boolean }>; requestBody?: { content: { "application/json": { schema: { required?: string[]; properties?: object } } } }; security?: unknown; responses: Record<string, { content?: { "application/json": { schema: { $ref?: string; additionalProperties?: boolean } } } }> }>>;
  components: { schemas: Record<string, object> };
};

beforeAll(async () => {
  t = await startTestServer();
  const response = await fetch(`${t.url}/api/v1/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  document = (await response.json()) as typeof document;
});
afterAll(() => t.close());

test("the document is valid OpenAPI 3.1 (checked by @seriousme/openapi-schema-validator, not our code)", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "sxb-openapi-")), "openapi.json");
  writeFileSync(file, JSON.stringify(document));
  const cli = join(__dirname, "..", "node_modules", "@seriousme", "openapi-schema-validator", "bin", "validate-api-cli.js");
  const { stdout } = await promisify(execFile)(process.execPath, [cli, file]);
  expect(document.openapi).toMatch(/^3\.1\./);
  expect(stdout).toContain('"valid": true');
});

test("every REST route of every command is one operation, with its success answer and its errors", () => {
  const routes = restCommands().flatMap((command) => restRoutesOf(command).map((route) => ({ command, route })));
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  expect(operations).toHaveLength(routes.length);
  for (const { command, route } of routes) {
    const path = `/api/v1${route.path.replace(/:(\w+)/g, "{$1}")}`;
    const op = document.paths[path]?.[route.method];
    expect({ path, method: route.method, op: op?.operationId.startsWith(command.name) }).toEqual({ path, method: route.method, op: true });
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining([String(route.status ?? 200), "400", "500"]));
    const signedIn = route.session ?? (command.auth === "token" || (command.auth === "console" && route.consoleSession !== "open"));
    expect(op!.security !== undefined).toBe(signedIn);
  }
});

test("a command's presenter has a declared shape: its REST answer's schema (closed, so an extra field is drift)", () => {
  for (const command of restCommands().filter((c) => c.present !== undefined && (c.envelope ?? "standard") === "standard")) {
    expect({ command: command.name, output: command.output !== undefined }).toEqual({ command: command.name, output: true });
  }
  const login = document.paths["/api/v1/sessions"]!.post!;
  expect(login.requestBody!.content["application/json"].schema.required).toEqual(expect.arrayContaining(["id", "pwd", "appid"]));
  expect(login.responses["201"]!.content!["application/json"].schema.additionalProperties).toBe(false);
  const list = document.paths["/api/v1/courses"]!.get!;
  expect(list.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(["query:offset", "query:limit", "query:host_uid", "query:state"]));
  expect(document.paths["/api/v1/courses/{roomnum}"]!.get!.parameters).toEqual([expect.objectContaining({ name: "roomnum", in: "path", required: true })]);
  expect(document.paths["/api/v1/courses/{roomnum}/heartbeat"]!.post!.responses["204"]!.content).toBeUndefined();
  expect(document.paths["/api/v1/callbacks/recording"]!.post!.responses["200"]!.content!["application/json"].schema.$ref).toBe("#/components/schemas/LiveCallbackAnswer");
});

test("the check refuses an answer the document does not describe: an unknown field, a wrong type, a status not listed, a body where none is", async () => {
  const check = new OpenApiCheck(document);
  const { T } = await signUpClassroom(t);
  const created = await t.rest("POST", "/courses", { token: T, body: { title: "maths" } });
  expect(created.status).toBe(201);
  expect(() => check.check("POST", "/api/v1/courses", 201, created.body)).not.toThrow();
  expect(() => check.check("POST", "/api/v1/courses", 201, { ...created.body, extra: 1 })).toThrow(/additional properties/);
  expect(() => check.check("POST", "/api/v1/courses", 201, { ...created.body, roomnum: "1" })).toThrow(/must be integer/);
  expect(() => check.check("POST", "/api/v1/courses", 202, created.body)).toThrow(/does not list/);
  expect(() => check.check("POST", "/api/v1/courses/1/heartbeat", 204, {})).toThrow(/has no body/);
  expect(() => check.check("POST", "/api/v1/courses", 400, { errorCode: 10009, errorInfo: "x" })).toThrow(/must be equal to one of the allowed values/);
  expect(() => check.check("PUT", "/api/v1/courses", 200, {})).toThrow(/no such operation/);
  // What the server really answers passes, errors included.
  const refused = await t.rest("POST", "/courses", { token: T, body: { title: 5 } });
  expect(refused.status).toBe(400);
  expect(() => check.check("POST", "/api/v1/courses", refused.status, refused.body)).not.toThrow();
  const anonymous = await fetch(`${t.url}/api/v1/courses?appid=${C.appid}`);
  const anonymousBody = JSON.parse(await anonymous.text()) as unknown;
  expect(anonymous.status).toBe(401);
  expect(() => check.check("GET", "/api/v1/courses", anonymous.status, anonymousBody)).not.toThrow();
});

test("GET /api/docs: the reference page, from the npm bundle, reading the document; nothing else of the package is served", async () => {
  const page = await fetch(`${t.url}/api/docs`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  const html = await page.text();
  expect(html).toContain('src="docs/swagger-ui-bundle.js"');
  expect(html).not.toMatch(/https?:\/\//);
  const init = await (await fetch(`${t.url}/api/docs/init.js`)).text();
  expect(init).toContain('url: "v1/openapi.json"');
  expect(init).toContain("validatorUrl: null");
  const bundle = await fetch(`${t.url}/api/docs/swagger-ui-bundle.js`);
  expect(bundle.status).toBe(200);
  expect(bundle.headers.get("content-type")).toMatch(/^text\/javascript/);
  expect((await bundle.text()).length).toBeGreaterThan(100_000);
  expect((await fetch(`${t.url}/api/docs/swagger-ui.css`)).status).toBe(200);
  for (const path of ["/api/docs/package.json", "/api/docs/index.html", "/api/docs/..%2fpackage.json", "/api/docs/%2e%2e/%2e%2e/package.json"]) {
    const other = await fetch(`${t.url}${path}`);
    expect({ path, status: other.status }).toEqual({ path, status: 404 });
  }
});
