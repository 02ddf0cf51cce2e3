import { Cluster, Redis } from "ioredis";
import { clusterCredentialsOf, type RedisTarget } from "./client";

/**
 * A Redis pub/sub channel every instance listens on, over a connection of its own (a connection
 * that subscribes can do nothing else). Pub/sub delivers only to who listens at the moment, so
 * `listening` says whether every message published now will reach this instance: true once the
 * subscription is confirmed, false as soon as the connection closes, reconnects or stops answering
 * its pings (a stalled Redis, a half-open connection). Whoever keeps a cache the messages
 * invalidate must drop it, and trust nothing from it, while `listening` is false.
 */

/** How often the subscription is checked (its ping may take the Redis command timeout, as any command). */
const PING_EVERY_MS = 1000;

export interface BroadcastHandlers {
  /** A message published by any instance (this one included). */
  onMessage(message: string): void;
  /** `listening` changed. */
  onListening(listening: boolean): void;
}

/** The subscriber connection's name: the channel and this process. */
export const subscriberName = (channel: string): string => `sxb:${channel}:${process.pid}`;

export class Broadcast {
  private listeningNow = false;
  private pinging: NodeJS.Timeout | undefined;
  /** A ping is in flight. */
  private checking = false;
  private readonly subscriber: Redis | Cluster;

  private constructor(
    target: RedisTarget,
    private readonly channel: string,
    private readonly handlers: BroadcastHandlers,
  ) {
    // Named, so that an operator (or a test) can tell this process's subscription in CLIENT LIST.
    const options = { connectionName: subscriberName(channel), maxRetriesPerRequest: 0, commandTimeout: target.commandTimeoutMs, connectTimeout: Math.max(2000, target.commandTimeoutMs), lazyConnect: true, enableOfflineQueue: false };
    this.subscriber = target.clusterNodes
      ? new Cluster(target.clusterNodes.map(({ host, port }) => ({ host, port })), { lazyConnect: true, enableOfflineQueue: false, redisOptions: { ...options, ...clusterCredentialsOf(target.url) } })
      : new Redis(target.url, options);
    this.subscriber.on("error", () => undefined);
    this.subscriber.on("message", (from: string, message: string) => {
      if (from === this.channel) this.handlers.onMessage(message);
    });
    // A connection that is lost or comes back may have missed messages: nothing is trusted until it subscribes again.
    this.subscriber.on("close", () => this.setListening(false));
    this.subscriber.on("ready", () => void this.subscribe());
  }

  /** Starts listening on `channel` (in the background: `listening` turns true once subscribed). */
  static open(target: RedisTarget, channel: string, handlers: BroadcastHandlers): Broadcast {
    const broadcast = new Broadcast(target, channel, handlers);
    broadcast.subscriber.connect().catch(() => undefined);
    broadcast.pinging = setInterval(() => void broadcast.check(), PING_EVERY_MS).unref();
    return broadcast;
  }

  get listening(): boolean {
    return this.listeningNow;
  }

  async close(): Promise<void> {
    clearInterval(this.pinging);
    this.setListening(false);
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
      this.setListening(true);
    } catch {
      this.setListening(false);
    }
  }

  /** A subscription that stopped answering is not one: it is off until it answers (and is subscribed) again. */
  private async check(): Promise<void> {
    // One ping at a time: while one waits out a long command timeout, the checks due meanwhile have nothing to add.
    if (this.checking) return;
    this.checking = true;
    try {
      await this.subscriber.ping();
      if (!this.listeningNow && this.subscriber.status === "ready") await this.subscribe();
    } catch {
      this.setListening(false);
    } finally {
      this.checking = false;
    }
  }

  private setListening(listening: boolean): void {
    if (this.listeningNow === listening) return;
    this.listeningNow = listening;
    this.handlers.onListening(listening);
  }
}
