import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The request a piece of work is done for, wherever it runs (a service, a Tencent client): the
 * doors run each request in its scope, so that what it causes can be logged with its id. The
 * hot door does not (its commands call no one); background work (the reaper, the replay index
 * scheduler) has no request.
 */
const scope = new AsyncLocalStorage<string>();

/** Runs `work` as part of the request `requestId`. */
export function inRequest<T>(requestId: string, work: () => T): T {
  return scope.run(requestId, work);
}

/** The id of the request the current work is done for, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}
