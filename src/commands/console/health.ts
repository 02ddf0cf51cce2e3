import { z } from "zod";
import { signedInOperator } from "../access";
import { defineCommand } from "../command";

const DependencyShape = z.object({ ok: z.boolean(), ms: z.number(), error: z.string() });
const count = z.number().min(0);

const HealthShape = z.object({
  postgres: DependencyShape,
  redis: DependencyShape,
  metrics: z.object({
    enabled: z.boolean(),
    requests: z.array(z.object({ dialect: z.string(), command: z.string(), code: z.int(), count })),
    reaper_sweeps: count,
    reaper_ended: z.record(z.string(), count),
    callbacks: z.array(z.object({ command: z.string(), outcome: z.string(), count })),
    tencent_calls: z.array(z.object({ service: z.string(), outcome: z.string(), count })),
  }).meta({ description: "this instance's counts since it started (Prometheus has every instance's)" }),
});

/** PostgreSQL and Redis as this instance reaches them, and what it has counted. */
export const consoleHealthCommand = defineCommand({
  name: "console.health",
  dialect: "rest",
  summary: "PostgreSQL and Redis (a round trip each), and this instance's counts: requests by command and code, reaper sweeps, callbacks refused, Tencent calls by outcome",
  auth: "console",
  access: signedInOperator,
  input: z.object({}),
  run: ({ services }) => services.console.health(),
  output: HealthShape,
  present: ({ postgres, redis, counts }) => ({
    postgres,
    redis,
    metrics: {
      enabled: counts.enabled,
      requests: counts.requests,
      reaper_sweeps: counts.reaperSweeps,
      reaper_ended: counts.reaperEnded,
      callbacks: counts.callbacks,
      tencent_calls: counts.tencentCalls,
    },
  }),
  rest: { method: "get", path: "/console/health", input: {} },
});
