import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";

/**
 * Every REST answer the suite receives is checked against the OpenAPI document the server
 * serves (GET /api/v1/openapi.json): its operation exists, its status is documented (or
 * falls under `default`), and its body matches that answer's schema (ajv, an independent
 * JSON Schema implementation). A failure throws in the request helper, failing the test
 * that made the request: the document cannot drift from the code.
 */

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

interface Route {
  method: string;
  pattern: RegExp;
  template: string;
  operation: Operation;
}

/** Answers checked so far in this process, by "METHOD template status" (the coverage test reads them). */
export const checkedAnswers = new Set<string>();

export class OpenApiCheck {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: Route[] = [];
  private readonly validators = new Map<object, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    this.ajv.addSchema({ $id: "components", $defs: document.components.schemas });
    for (const [template, operations] of Object.entries(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`);
      for (const [method, operation] of Object.entries(operations)) this.routes.push({ method: method.toUpperCase(), pattern, template, operation });
    }
  }

  /** Throws when the answer is not one the document describes. */
  check(method: string, path: string, status: number, body: unknown): void {
    const pathOnly = path.split("?")[0] ?? path;
    const route = this.routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(pathOnly));
    if (route === undefined) {
      // An undocumented path answers the protocol's 404 (an unknown path, or a method not routed).
      if (status === 404 || status === 405) return;
      throw new Error(`OpenAPI: ${method} ${pathOnly} answered ${status} but the document has no such operation`);
    }
    const response = route.operation.responses[String(status)] ?? (status >= 400 ? route.operation.responses.default : undefined);
    if (response === undefined) throw new Error(`OpenAPI: ${method} ${route.template} answered ${status}, which the document does not list`);
    checkedAnswers.add(`${method.toUpperCase()} ${route.template} ${status}`);
    const schema = response.content?.["application/json"]?.schema;
    if (schema === undefined) {
      if (body !== undefined) throw new Error(`OpenAPI: ${method} ${route.template} ${status} has no body in the document but answered ${JSON.stringify(body)}`);
      return;
    }
    const validate = this.validatorOf(schema);
    if (!validate(body)) {
      throw new Error(`OpenAPI: ${method} ${route.template} ${status} answered a body the document refuses: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 2000)}`);
    }
  }

  private validatorOf(schema: object): ValidateFunction {
    let validate = this.validators.get(schema);
    if (validate === undefined) {
      // The document's references point at #/components/schemas/X: here they live in "components".
      const rewritten = JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\/(\w+)"/g, '"components#/$defs/$1"')) as object;
      validate = this.ajv.compile(rewritten);
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

/** The checker of the document a server serves. */
export async function openApiCheckOf(url: string): Promise<OpenApiCheck> {
  const response = await fetch(`${url}/api/v1/openapi.json`);
  if (response.status !== 200) throw new Error(`GET /api/v1/openapi.json answered ${response.status}`);
  return new OpenApiCheck((await response.json()) as OpenApiDocument);
}
