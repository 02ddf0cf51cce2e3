import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseQuery } from "node:querystring";
import { REST_PREFIX } from "../../commands/rest-mapping";
import type { AnyCommand } from "../../commands/command";
import type { Config } from "../../config";
import { Errors } from "../../errors";
import type { Logger } from "../../logger";
import type { Metrics } from "../../metrics/metrics";
import type { Services } from "../../services";
import { clientAddress } from "../client-address";
import { allowedOriginFor } from "../cors";
import { logRequest, type RequestState, requestIdOf } from "../request-context";
import { envelopeText, PROTOCOL_CONTENT_TYPE } from "./envelope";
import { commandResolver, isProtocolPath, type ProtocolAnswer, type ProtocolDialect, protocolExchange } from "./exchange";

/**
 * The hot door: the protocol commands declared hot (the heartbeat) answered on bare node:http,
 * before Koa, whose own work per request costs more than all of the heartbeat's (measured under
 * the fleet benchmark: a beat through Koa 202 µs of CPU, the same beat without Koa 80 µs, Koa
 * answering {} 120 µs). Everything else is the protocol door's: the same exchange (validation,
 * policy, command, envelope), request id, CORS header and access log. Any other request, and any
 * request it is unsure of (not in origin form, OPTIONS, HEAD), goes to Koa untouched.
 */

type Exchange = ReturnType<typeof protocolExchange>;

interface HotDialect {
  resolve: (querystring: string) => AnyCommand | undefined;
  exchange: Exchange;
}

export function hotDoor(deps: { config: Config; services: Services; log: Logger; metrics: Metrics }): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { config } = deps;
  const dialectOf = (dialect: ProtocolDialect): HotDialect => ({ resolve: commandResolver(dialect), exchange: protocolExchange(deps, dialect) });
  const classroom = dialectOf("classroom");
  const live = dialectOf("live");
  const allowedOrigin = allowedOriginFor(config.corsOrigins);

  const serve = async (exchange: Exchange, command: AnyCommand, req: IncomingMessage, res: ServerResponse, path: string, querystring: string): Promise<void> => {
    const startedNs = process.hrtime.bigint();
    const header = req.headers["x-request-id"];
    const state: RequestState = { requestId: requestIdOf(typeof header === "string" ? header : undefined) };
    let answer: ProtocolAnswer;
    try {
      answer = await exchange(command, { req, querystring, query: () => parseQuery(querystring), address: () => clientAddress(req, config.trustProxy) }, state);
    } catch (error) {
      // The last resort, as Koa's request context answers it.
      state.failure = error;
      state.errorCode = Errors.server().code;
      answer = { status: 500, body: envelopeText(Errors.server().code, Errors.server().info), close: false };
    }
    const origin = req.headers.origin;
    const { allow, varies } = allowedOrigin(typeof origin === "string" ? origin : undefined);
    const headers: Record<string, string | number> = { "X-Request-Id": state.requestId, "Content-Type": PROTOCOL_CONTENT_TYPE, "Content-Length": Buffer.byteLength(answer.body) };
    if (allow !== undefined) headers["Access-Control-Allow-Origin"] = allow;
    if (varies) headers.Vary = "Origin";
    if (answer.close) headers.Connection = "close";
    res.writeHead(answer.status, headers);
    res.end(answer.body);
    logRequest(deps, state, { method: req.method ?? "", path, status: answer.status, startedNs });
  };

  return (req, res) => {
    const url = req.url ?? "";
    const mark = url.indexOf("?");
    if (mark < 0 || url.charCodeAt(0) !== 0x2f /* "/" */ || req.method === "OPTIONS" || req.method === "HEAD") return false;
    const path = url.slice(0, mark);
    if (!isProtocolPath(path) || path.startsWith(REST_PREFIX)) return false;
    const dialect = config.live.paths.some((prefix) => path.startsWith(prefix)) ? live : classroom;
    const querystring = url.slice(mark + 1);
    const command = dialect.resolve(querystring);
    if (command?.hotPath === undefined) return false;
    void serve(dialect.exchange, command, req, res, path, querystring);
    return true;
  };
}
