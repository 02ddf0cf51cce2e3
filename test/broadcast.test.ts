import { Redis } from "ioredis";
import { Broadcast } from "../src/infra/redis/broadcast";
import { testRedisUrl } from "./support/env";
import { waitFor } from "./support/redis-cluster";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy";

/**
 * The channel every instance hears ended sessions on (src/infra/redis/broadcast.ts), through a
 * TCP proxy to the real Redis: a subscription whose connection stays open but goes silent (a
 * stalled Redis, a half-open connection) is not listening once its ping goes unanswered for the
 * command timeout, and listens again, subscribed anew, once Redis answers.
 */

const CHANNEL = `broadcast-test:${process.pid}`;
let proxy: TcpProxy;
let publisher: Redis;
let broadcast: Broadcast | undefined;

beforeAll(async () => {
  proxy = await startTcpProxy(Number(new URL(testRedisUrl()).port || 6379));
  publisher = new Redis(testRedisUrl());
});
afterEach(async () => {
  proxy.restore();
  await broadcast?.close();
});
afterAll(async () => {
  publisher.disconnect();
  await proxy.close();
});

/** How many PING commands a stretch of the RESP protocol holds. */
const pingsIn = (resp: string) => resp.match(/\r\nping\r\n/gi)?.length ?? 0;

function listen(commandTimeoutMs: number) {
  const heard: string[] = [];
  const changes: boolean[] = [];
  broadcast = Broadcast.open({ url: proxy.via(testRedisUrl()), commandTimeoutMs }, CHANNEL, {
    onMessage: (message) => heard.push(message),
    onListening: (listening) => changes.push(listening),
  });
  return { heard, changes, channel: broadcast };
}

test("a subscription gone silent stops listening (its ping unanswered), and listens again when Redis answers", async () => {
  const { heard, changes, channel } = listen(300);
  await waitFor("the subscription", () => channel.listening);
  await publisher.publish(CHANNEL, "before");
  await waitFor("the message before the stall", () => heard.includes("before"));
  proxy.stall();
  await waitFor("the silent subscription to stop listening", () => !channel.listening, 20000);
  expect(changes).toEqual([true, false]);
  proxy.restore();
  await waitFor("the subscription to listen again", () => channel.listening);
  await publisher.publish(CHANNEL, "after");
  await waitFor("the message after the stall", () => heard.includes("after"));
  expect(changes).toEqual([true, false, true]);
});

test("its ping may take the Redis command timeout, as any command: a stall shorter than that is not a silence", async () => {
  const { changes, channel } = listen(5000);
  await waitFor("the subscription", () => channel.listening);
  proxy.stall();
  // The one ping pending now is at most 3 s old (sent at most a second before the stall): it has not timed out.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  expect(channel.listening).toBe(true);
  // One ping in flight at a time: the checks due meanwhile (one a second) sent none while it waited.
  expect(pingsIn(proxy.heldForTarget())).toBeLessThanOrEqual(1);
  proxy.restore();
  await new Promise((resolve) => setTimeout(resolve, 1500)); // the ping answered late is answered
  expect(changes).toEqual([true]);
});
