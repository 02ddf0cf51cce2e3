import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Context } from "koa";
import { OPENAPI_PATH, openApiDocument } from "./rest/openapi";

/**
 * The REST API's document and its reference page. The page is Swagger UI, bundled from npm
 * (swagger-ui-dist) and served from node_modules: nothing is fetched at run time (its
 * validator badge, which calls validator.swagger.io, is off).
 */

export const API_DOCS_PATH = "/api/docs";

/** The files of swagger-ui-dist the page loads, and their types: nothing else is served from there. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

// Relative URLs: the page works under whatever prefix a proxy mounts the server.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sxb-edu REST API</title>
<link rel="icon" href="docs/favicon-32x32.png">
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="api"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({ url: "v1/openapi.json", dom_id: "#api", validatorUrl: null, deepLinking: true, tryItOutEnabled: false });\n`;

const assetDirectory = () => dirname(require.resolve("swagger-ui-dist/package.json"));

export interface ApiDocs {
  /** Answers the document, the page or one of its files; false for any other path. */
  answer(ctx: Context): boolean;
}

export function apiDocs(): ApiDocs {
  const document = JSON.stringify(openApiDocument("v1"));
  const assets = new Map<string, Buffer>();
  const asset = (name: string) => assets.get(name) ?? assets.set(name, readFileSync(join(assetDirectory(), name))).get(name);
  const send = (ctx: Context, type: string, body: string | Buffer | undefined) => {
    ctx.type = type;
    ctx.set("Cache-Control", "no-cache");
    ctx.body = body;
  };
  return {
    answer(ctx) {
      if (ctx.method !== "GET" && ctx.method !== "HEAD") return false;
      if (ctx.path === OPENAPI_PATH) send(ctx, "application/json; charset=utf-8", document);
      else if (ctx.path === API_DOCS_PATH) send(ctx, "text/html; charset=utf-8", PAGE);
      else if (ctx.path === `${API_DOCS_PATH}/init.js`) send(ctx, "text/javascript; charset=utf-8", INIT);
      else {
        const name = ctx.path.startsWith(`${API_DOCS_PATH}/`) ? ctx.path.slice(API_DOCS_PATH.length + 1) : "";
        const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
        if (type === undefined) return false;
        send(ctx, type, asset(name));
      }
      return true;
    },
  };
}
