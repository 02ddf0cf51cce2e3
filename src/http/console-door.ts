import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Context } from "koa";

/**
 * The operator console's page: three static files from `console/` (no framework, no build
 * step), read once. Strict headers: scripts and styles from this origin only (no eval, no
 * inline script), never framed, never sniffed; media from anywhere (the recordings play from
 * VOD's CDN); the API it calls is the REST API's console routes.
 */

export const CONSOLE_PATH = "/console";

const FILES: Record<string, { file: string; type: string }> = {
  [CONSOLE_PATH]: { file: "index.html", type: "text/html; charset=utf-8" },
  [`${CONSOLE_PATH}/`]: { file: "index.html", type: "text/html; charset=utf-8" },
  [`${CONSOLE_PATH}/console.js`]: { file: "console.js", type: "text/javascript; charset=utf-8" },
  [`${CONSOLE_PATH}/console.css`]: { file: "console.css", type: "text/css; charset=utf-8" },
};

const HEADERS = {
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; media-src 'self' https: http:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

/** The folder holding the console's files: `console/` at the project's root, wherever this module was built to. */
function consoleDirectory(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "console", "index.html"))) return join(dir, "console");
  }
  throw new Error("console/index.html not found above " + __dirname);
}

export interface ConsolePage {
  /** Answers one of the console's files; false for any other path. */
  answer(ctx: Context): boolean;
}

export function consolePage(): ConsolePage {
  const directory = consoleDirectory();
  const contents = new Map(Object.values(FILES).map(({ file }) => [file, readFileSync(join(directory, file))]));
  return {
    answer(ctx) {
      const entry = Object.hasOwn(FILES, ctx.path) ? FILES[ctx.path] : undefined;
      if (entry === undefined || (ctx.method !== "GET" && ctx.method !== "HEAD")) return false;
      ctx.set(HEADERS);
      ctx.type = entry.type;
      ctx.body = contents.get(entry.file);
      return true;
    },
  };
}
