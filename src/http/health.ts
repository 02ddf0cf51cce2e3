import type Koa from "koa";

/**
 * The probes of load balancers and orchestrators. Liveness says only that the process answers:
 * a liveness probe that also checked PostgreSQL or Redis would have Kubernetes restart every
 * healthy pod during a database outage. Readiness says whether to send this instance traffic:
 * its dependencies answer and it is not draining for a shutdown.
 */

export const LIVENESS_PATH = "/healthz";
export const READINESS_PATH = "/readyz";

/** What can make an instance unready. */
export type ReadinessCheck = "postgres" | "redis" | "draining";

/** The checks failing now (none: ready). Answers within about a second whatever the dependencies do. */
export type FailingChecks = () => Promise<readonly ReadinessCheck[]>;

export function answerLiveness(ctx: Koa.Context): void {
  ctx.status = 200;
  ctx.body = { status: "ok" };
}

export async function answerReadiness(ctx: Koa.Context, failingChecks: FailingChecks): Promise<void> {
  const failed = await failingChecks();
  ctx.status = failed.length === 0 ? 200 : 503;
  ctx.body = failed.length === 0 ? { status: "ok" } : { status: "unavailable", failed };
}
