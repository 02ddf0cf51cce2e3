import { type Config, DEV_WEBHOOK_SECRET, vodEndpointOf } from "./config";
import { startTencentEmulator, type TencentEmulator } from "./emulator";
import { createLogger, type Logger } from "./logger";
import { type CloseOptions, type RunningServer, startServer } from "./server";

/**
 * The server process as `npm start` runs it. In development without IM_BASE_URL, the
 * Tencent emulator starts first, on loopback, and every Tencent client (IM, VOD) points
 * at it (one warning line says so and where): a class runs offline on the defaults, and
 * apps can upload to its COS with the signatures the server hands out. Once the server
 * listens, the emulator's bypass recording calls its recording callback a moment after
 * each class ends, and its replay index service (used when REPLAY_INDEX_URL points at it)
 * calls the index-file callback, both signed with CALLBACK_KEY as Tencent signs: a class
 * becomes replayable with no manual step. Production never starts it (loadConfig leaves
 * no emulator port there). The core never imports the emulator: only this entry does.
 */

/** How long after a class ends the emulated recording arrives (Tencent takes minutes). */
const RECORDING_DELAY_MS = 1000;

export interface Launched {
  server: RunningServer;
  emulator: TencentEmulator | undefined;
  /** The server's close (a drain first with `drainMs`; a later call ends the drain), then the emulator's, once. */
  close(options?: CloseOptions): Promise<void>;
}

export async function launch(config: Config, options: { log?: Logger } = {}): Promise<Launched> {
  const log = options.log ?? createLogger(config.logLevel, undefined, { pretty: config.logPretty });
  let emulator: TencentEmulator | undefined;
  let effective = config;
  if (config.tencentEmulatorPort !== undefined) {
    const cloud = { ...config.cloud, buckets: config.cos.buckets, region: config.cos.region };
    emulator = await startTencentEmulator({ apps: [...config.sdkApps.values()], cloud, host: "127.0.0.1", port: config.tencentEmulatorPort, schoolWebhookSecret: DEV_WEBHOOK_SECRET });
    // Every Tencent client of the server points at it.
    effective = {
      ...config,
      imBaseUrl: emulator.url,
      vod: { ...config.vod, endpoint: vodEndpointOf(emulator.url), v2BaseUrl: emulator.url },
      videorelay: { ...config.videorelay, baseUrl: emulator.url },
      // The development webhook endpoints are the school's receiver in the emulator, wherever it listens.
      webhooks: { ...config.webhooks, endpoints: config.webhooks.endpoints.map((e) => (e.secret === DEV_WEBHOOK_SECRET ? { ...e, url: `${emulator!.url}/__school/webhooks` } : e)) },
    };
    log.warn(
      { emulator: emulator.url, received: `${emulator.url}/__tencent/im/groups` },
      "development: Tencent (IM, COS, VOD, recording, replay index, videorelay) is emulated in this process (nothing reaches Tencent); set IM_BASE_URL to use the real services",
    );
  }
  try {
    const server = await startServer(effective, { log });
    if (emulator) callBackInto(emulator, server.url, config);
    let closing: Promise<void> | undefined;
    return {
      server,
      emulator,
      close(options) {
        if (closing) {
          void server.close(); // ends a drain (the same promise as the first call's, whose rejection that call handles)
          return closing;
        }
        // The emulator closes once, after the server.
        closing = server.close(options).then(() => emulator?.close());
        return closing;
      },
    };
  } catch (error) {
    await emulator?.close();
    throw error;
  }
}

/** Points the emulator's callbacks at the server, as the live and IM consoles would be set (the original's URLs). */
function callBackInto(emulator: TencentEmulator, serverUrl: string, config: Config): void {
  const { callbackKey } = config;
  emulator.recorder.target = { url: `${serverUrl}/index.php?svc=live&cmd=reccall`, key: callbackKey };
  emulator.recorder.liveTarget = { url: `${serverUrl}${config.live.paths[0] ?? "/sxb/"}index.php?svc=live&cmd=callback`, key: callbackKey };
  emulator.recorder.delayMs = RECORDING_DELAY_MS;
  emulator.recorder.enabled = true;
  emulator.replayIndex.callback = { url: `${serverUrl}/index.php?svc=live&cmd=idxfileendcall`, token: callbackKey };
}
