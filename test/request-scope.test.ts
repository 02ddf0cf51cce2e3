import { currentRequestId, inRequest } from "../src/tracing/request-scope";

/**
 * The request scope: each request's work sees its own id across awaits, however requests
 * interleave; outside any request there is none. The scope is disabled whenever no request is
 * in it (its promise hooks cost every promise on Node 20), and enabled again by the next.
 */

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function seenIds(steps: number): Promise<Array<string | undefined>> {
  const seen: Array<string | undefined> = [];
  for (let i = 0; i < steps; i++) {
    seen.push(currentRequestId());
    await tick();
  }
  return seen;
}

test("interleaved requests each keep their own id; none outside; the scope comes back after it was idle", async () => {
  expect(currentRequestId()).toBeUndefined();
  const [a, b] = await Promise.all([inRequest("a", () => seenIds(5)), inRequest("b", () => seenIds(3))]);
  expect(a).toEqual(["a", "a", "a", "a", "a"]);
  expect(b).toEqual(["b", "b", "b"]);
  expect(currentRequestId()).toBeUndefined();
  // After every request finished (the scope disabled), a new one has its id again, and a late one overlapping it too.
  const first = inRequest("c", () => seenIds(4));
  await tick();
  const second = inRequest("d", () => seenIds(2));
  expect(await Promise.all([first, second])).toEqual([["c", "c", "c", "c"], ["d", "d"]]);
  expect(currentRequestId()).toBeUndefined();
});

test("a request that fails still leaves the scope, and the next one has its id", async () => {
  await expect(inRequest("e", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(currentRequestId()).toBeUndefined();
  expect(await inRequest("f", () => seenIds(2))).toEqual(["f", "f"]);
});
