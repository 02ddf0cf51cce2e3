import { setFlagsFromString } from "node:v8";

/**
 * V8's allocation-site pretenuring off, for the whole process, before anything else is loaded
 * (main.ts imports this first). Pretenuring makes an allocation site whose objects survived young
 * collections allocate straight into the old generation from then on. The first beats after a
 * start are slow (each session leaves PostgreSQL), so the request path's sites were judged
 * long-lived and stayed so: every heartbeat's objects then sat in the old generation holding
 * young ones, and 12 % of all the server allocated was promoted (bare Koa: 0.2 %). Measured under
 * the fleet benchmark with the flag off: 0.9 % promoted, server CPU per beat about a quarter lower.
 * Our long-lived data (caches, sessions) is small, so it loses little by being copied once more.
 */
setFlagsFromString("--no-allocation-site-pretenuring");
