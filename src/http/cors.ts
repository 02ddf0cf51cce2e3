import type { Context, Next } from "koa";

/**
 * CORS for the web apps (cross-origin callers of the protocol and REST doors): the
 * Access-Control-Allow-Origin an answer to `origin` carries (none for an origin not allowed),
 * and whether the answer depends on the origin (Vary: Origin).
 */
export function allowedOriginFor(allowedOrigins: readonly string[]): (origin: string | undefined) => { allow: string | undefined; varies: boolean } {
  const any = allowedOrigins.includes("*");
  const ANY = { allow: "*", varies: false } as const;
  return (origin) => (any ? ANY : { allow: origin && allowedOrigins.includes(origin) ? origin : undefined, varies: true });
}

export function cors(allowedOrigins: readonly string[]) {
  const allowed = allowedOriginFor(allowedOrigins);
  return async (ctx: Context, next: Next): Promise<void> => {
    const { allow, varies } = allowed(ctx.get("origin") || undefined);
    if (allow !== undefined) ctx.set("Access-Control-Allow-Origin", allow);
    if (varies) ctx.vary("Origin");
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
