import type { Config } from "../config";
import { type AppError, Errors } from "../errors";
import { imCallbackSign, liveCallbackSign, sameDigest } from "../infra/tencent/callbacks";
import type { Logger } from "../logger";

/**
 * Tencent's callbacks prove themselves with CALLBACK_KEY: live (recording and stream) events
 * carry `t` (when the signature expires) and `sign` = md5(key + t); IM's callbacks carry
 * `RequestTime` and `Sign` = sha256(key + RequestTime) in their URL, and are stale a minute
 * after RequestTime (IM's rule). A refused callback changes nothing and is logged.
 * Either signature is valid for a bounded time: Tencent signs live events until now + 600 s,
 * so a `t` further than a day ahead (a signed payload that would never expire, were the key
 * or a payload leaked) is refused; IM's RequestTime is within a minute either way.
 */

/** IM: a callback whose RequestTime is further than this from now is a replay. */
const IM_CALLBACK_WINDOW_S = 60;
/** Live: the furthest expiry accepted (Tencent's is now + 600 s; a day leaves room for any clock skew). */
const LIVE_SIGN_MAX_AHEAD_S = 86400;

const nowSeconds = () => Math.floor(Date.now() / 1000);

const asInteger = (value: unknown): number | undefined => {
  const n = typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) ? n : undefined;
};

export class CallbackAuth {
  constructor(private readonly deps: { config: Config; log: Logger }) {}

  /** A live (CSS) callback: `sign` = md5(key + t), and `t` not passed nor more than a day ahead. */
  checkLive(t: unknown, sign: unknown, what: string, now = nowSeconds()): void {
    const expiry = asInteger(t);
    if (expiry === undefined || typeof sign !== "string" || sign === "") return this.refuse(Errors.callbackUnsigned, what);
    if (!sameDigest(liveCallbackSign(this.deps.config.callbackKey, expiry), sign)) return this.refuse(Errors.callbackSignMismatch, what);
    if (expiry < now) return this.refuse(Errors.callbackSignExpired, what, { t: expiry, now });
    if (expiry > now + LIVE_SIGN_MAX_AHEAD_S) return this.refuse(Errors.callbackSignTooLong, what, { t: expiry, now });
  }

  /** An IM callback: `Sign` = sha256(key + RequestTime) in the query, RequestTime within a minute of now. */
  checkIm(query: Readonly<Record<string, string>>, what: string, now = nowSeconds()): void {
    const requestTime = asInteger(query.RequestTime);
    const sign = query.Sign;
    if (requestTime === undefined || sign === undefined || sign === "") return this.refuse(Errors.callbackUnsigned, what);
    if (!sameDigest(imCallbackSign(this.deps.config.callbackKey, requestTime), sign)) return this.refuse(Errors.callbackSignMismatch, what);
    if (Math.abs(now - requestTime) > IM_CALLBACK_WINDOW_S) return this.refuse(Errors.callbackSignExpired, what, { requestTime, now });
  }

  private refuse(error: () => AppError, what: string, details: Record<string, number> = {}): never {
    const refused = error();
    this.deps.log.warn({ callback: what, reason: refused.info, ...details }, "Tencent callback refused");
    throw refused;
  }
}
