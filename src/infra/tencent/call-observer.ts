import type { TencentOutcome } from "../../metrics/metrics";

/** What became of an outbound Tencent call (the metrics' label values). */
export type CallOutcome = TencentOutcome;
/** Told of every call a Tencent client makes (the metrics count them). */
export type CallObserver = (outcome: CallOutcome, seconds: number) => void;

/** Runs `call`, telling `observe` its outcome and duration; the call's result or failure goes on unchanged. */
export async function observed<T>(observe: CallObserver | undefined, outcomeOfFailure: (error: unknown) => CallOutcome, call: () => Promise<T>): Promise<T> {
  if (!observe) return call();
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  try {
    const result = await call();
    observe("ok", seconds());
    return result;
  } catch (error) {
    observe(outcomeOfFailure(error), seconds());
    throw error;
  }
}
