import { type Config, vodEndpointOf } from "./config";
import { startTencentEmulator, type TencentEmulator } from "./emulator";
import { createLogger, type Logger } from "./logger";
import { type RunningServer, startServer } from "./server";

/**
 * The server process as `npm start` runs it. In development without IM_BASE_URL, the
 * Tencent emulator starts first, on loopback, and every Tencent client (IM, VOD) points
 * at it (one warning line says so and where): a class runs offline on the defaults, and
 * apps can upload to its COS with the signatures the server hands out. Production
 * never starts it (loadConfig leaves no emulator port there). The core never imports
 * the emulator: only this entry does.
 */

export interface Launched {
  server: RunningServer;
  emulator: TencentEmulator | undefined;
  close(): Promise<void>;
}

export async function launch(config: Config, options: { log?: Logger } = {}): Promise<Launched> {
  const log = options.log ?? createLogger(config.logLevel);
  let emulator: TencentEmulator | undefined;
  let effective = config;
  if (config.tencentEmulatorPort !== undefined) {
    const cloud = { ...config.cloud, buckets: config.cos.buckets, region: config.cos.region };
    emulator = await startTencentEmulator({ apps: [...config.sdkApps.values()], cloud, host: "127.0.0.1", port: config.tencentEmulatorPort });
    // Every Tencent client of the server points at it.
    effective = { ...config, imBaseUrl: emulator.url, vod: { ...config.vod, endpoint: vodEndpointOf(emulator.url), v2BaseUrl: emulator.url } };
    log.warn(
      { emulator: emulator.url, received: `${emulator.url}/__tencent/im/groups` },
      "development: Tencent (IM, COS, VOD) is emulated in this process (nothing reaches Tencent); set IM_BASE_URL to use the real services",
    );
  }
  try {
    const server = await startServer(effective, { log });
    return {
      server,
      emulator,
      async close() {
        await server.close();
        await emulator?.close();
      },
    };
  } catch (error) {
    await emulator?.close();
    throw error;
  }
}
