import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The request a piece of work is done for, wherever it runs (a service, a Tencent client): the
 * doors run each request in its scope, so that what it causes can be logged with its id. The
 * hot door does not (its commands call no one); background work (the reaper, the replay index
 * scheduler) has no request.
 */
const scope = new AsyncLocalStorage<string>();

/**
 * Requests running in the scope now. On Node 20 an enabled AsyncLocalStorage installs promise
 * hooks that every promise of the process then pays for, the hot door's heartbeats included
 * (about 10 µs a beat, 20 % of its CPU, measured with bench-heartbeat): so the scope is
 * disabled whenever no request is in it, and heartbeats between other requests run without.
 */
let requestsInScope = 0;

/** Runs `work` as part of the request `requestId`. */
export async function inRequest<T>(requestId: string, work: () => Promise<T>): Promise<T> {
  requestsInScope += 1;
  try {
    return await scope.run(requestId, work);
  } finally {
    requestsInScope -= 1;
    // Work a finished request left running (none is awaited after the answer) loses its id: it is logged without one.
    if (requestsInScope === 0) scope.disable();
  }
}

/** The id of the request the current work is done for, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}
