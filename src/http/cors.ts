import type { Context, Next } from "koa";

/** CORS for the web apps (cross-origin callers of the protocol and REST doors). */
export function cors(allowedOrigins: readonly string[]) {
  const any = allowedOrigins.includes("*");
  return async (ctx: Context, next: Next): Promise<void> => {
    const origin = ctx.get("origin");
    if (any) ctx.set("Access-Control-Allow-Origin", "*");
    else if (origin && allowedOrigins.includes(origin)) {
      ctx.set("Access-Control-Allow-Origin", origin);
      ctx.vary("Origin");
    }
    if (ctx.method === "OPTIONS") {
      // A preflight runs no command.
      ctx.set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
      ctx.set("Access-Control-Allow-Headers", ctx.get("access-control-request-headers") || "Content-Type, Authorization");
      ctx.set("Access-Control-Max-Age", "86400");
      ctx.status = 204;
      return;
    }
    await next();
  };
}
