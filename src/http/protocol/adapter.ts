import type { Context } from "koa";
import type { Config } from "../../config";
import type { Services } from "../../services";
import { clientAddress } from "../client-address";
import type { RequestState } from "../request-context";
import { PROTOCOL_CONTENT_TYPE } from "./envelope";
import { commandResolver, type ProtocolDialect, protocolExchange } from "./exchange";

/** The app protocol door through Koa: every command of a dialect (the hot door takes the heartbeat before Koa). */
export function protocolHandler(deps: { config: Config; services: Services }, dialect: ProtocolDialect) {
  const commandOf = commandResolver(dialect);
  const exchange = protocolExchange(deps, dialect);
  return async (ctx: Context): Promise<void> => {
    const state = ctx.state as RequestState;
    const request = { req: ctx.req, querystring: ctx.querystring, query: () => ctx.query, address: () => clientAddress(ctx.req, deps.config.trustProxy) };
    const answer = await exchange(commandOf(ctx.querystring), request, state);
    ctx.status = answer.status;
    ctx.body = answer.body;
    ctx.set("Content-Type", PROTOCOL_CONTENT_TYPE);
    if (answer.close) ctx.set("Connection", "close");
  };
}
