import Koa from "koa";
import type { Config } from "../config";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics/metrics";
import type { Services } from "../services";
import { REST_PREFIX } from "../commands/rest-mapping";
import { Errors } from "../errors";
import { apiDocs } from "./api-docs-door";
import { CONSOLE_PATH, consolePage } from "./console-door";
import { cors } from "./cors";
import { answerLiveness, answerReadiness, type FailingChecks, LIVENESS_PATH, READINESS_PATH } from "./health";
import { protocolHandler } from "./protocol/adapter";
import { isProtocolPath } from "./protocol/exchange";
import { sendEnvelope } from "./protocol/envelope";
import { answerMetrics, METRICS_PATH } from "./metrics-door";
import { type RequestState, requestContext } from "./request-context";
import { restRouter } from "./rest/door";

export interface AppDeps {
  config: Config;
  services: Services;
  log: Logger;
  metrics: Metrics;
  /** Readiness: PostgreSQL and Redis answer and the instance is not draining. */
  failingChecks: FailingChecks;
}

type Middleware = (ctx: Koa.Context, next: Koa.Next) => Promise<void>;

export function createApp(deps: AppDeps): Koa {
  // Behind a proxy the client is the address the nearest proxy appended (one hop): earlier entries a client wrote itself count for nothing.
  const app = new Koa({ proxy: deps.config.trustProxy, maxIpsCount: 1 });
  app.use(requestContext(deps));
  // On the main port unless METRICS_PORT gives them a port of their own.
  const metricsHere = deps.metrics.enabled && deps.config.metrics.port === undefined;
  app.use(cors(deps.config.corsOrigins));

  // The REST API's OpenAPI document and its reference page, before the REST routes.
  const docs = apiDocs();
  const consoleFiles = consolePage();
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith(CONSOLE_PATH) ? !consoleFiles.answer(ctx) : !ctx.path.startsWith("/api/") || !docs.answer(ctx)) await next();
  });

  const rest = restRouter(deps, REST_PREFIX);
  // The REST router only sees its own paths: protocol requests (the hot path) skip its matching.
  // (The router's middleware types carry its own context additions; Koa's are the same at run time.)
  const restRoutes = rest.routes() as unknown as Middleware;
  const restMethods = rest.allowedMethods() as unknown as Middleware;
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith(REST_PREFIX)) await restRoutes(ctx, () => restMethods(ctx, next));
    else await next();
  });

  // Two dialects of the same svc/cmd names, as the two original servers were at two addresses:
  // the 随心播 live dialect under LIVE_PATHS (default /sxb/), the classroom everywhere else.
  const classroom = protocolHandler(deps, "classroom");
  const live = protocolHandler(deps, "live");
  const { paths: livePaths } = deps.config.live;
  app.use(async (ctx, next) => {
    if (ctx.path === LIVENESS_PATH) return answerLiveness(ctx);
    if (ctx.path === READINESS_PATH) return answerReadiness(ctx, deps.failingChecks);
    if (ctx.path === METRICS_PATH && metricsHere && ctx.method === "GET") return answerMetrics(ctx, deps.metrics);
    if (!isProtocolPath(ctx.path) || ctx.path.startsWith(REST_PREFIX)) {
      await next();
      return;
    }
    await (livePaths.some((prefix) => ctx.path.startsWith(prefix)) ? live(ctx) : classroom(ctx));
  });
  // Anything else: the protocol's "Invalid request." with a 404.
  app.use((ctx) => {
    const unknown = Errors.invalidRequest();
    (ctx.state as RequestState).errorCode = unknown.code;
    sendEnvelope(ctx, unknown.code, unknown.info, undefined, 404);
  });
  return app;
}
