import { startTencentEmulator, type TencentEmulator } from "../src/emulator";
import { OTHER_APP, TEST_APP, TEST_CLOUD } from "./support/env";
import { startServerProcess } from "./support/processes";

/**
 * A fresh server process's first PostgreSQL query loads Prisma's query compiler, which holds the
 * event loop for a while (about 140 ms on this project's machine, over a second when it is busy).
 * A Redis command sent beside it was answered in time but read only after the hold, past its
 * timeout, and the start failed ("Command timed out"; seen in CI, under load). The server asks
 * Redis nothing until PostgreSQL has answered, so a command timeout shorter than the hold is enough.
 */

/** Shorter than the hold, long enough for the local Redis to answer a command. */
const REDIS_COMMAND_TIMEOUT_MS = 100;

let tencent: TencentEmulator;
beforeAll(async () => {
  tencent = await startTencentEmulator({ apps: [TEST_APP, OTHER_APP], cloud: TEST_CLOUD });
});
afterAll(() => tencent.close());

test(`a fresh process starts with a Redis command timeout (${REDIS_COMMAND_TIMEOUT_MS} ms) shorter than the first query's hold`, async () => {
  const server = await startServerProcess({ tencent, env: { REDIS_COMMAND_TIMEOUT_MS: String(REDIS_COMMAND_TIMEOUT_MS) } });
  try {
    expect(server.logs.some((line) => line.msg === "serving")).toBe(true);
  } finally {
    await server.stop();
  }
});
