import { type EmulatedApp, startTencentEmulator } from "./index";

/**
 * The Tencent emulator as a process of its own (the benchmarks run it apart, so that its
 * work is not counted against the server's): apps from SDK_APPS, the cloud account from
 * TENCENT_APPID / TENCENT_SECRET_ID / TENCENT_SECRET_KEY / COS_BUCKETS / COS_REGION, port
 * from TENCENT_EMULATOR_PORT (0: any); prints its URL on the first line.
 */
async function main(): Promise<void> {
  const apps = JSON.parse(process.env.SDK_APPS ?? "[]") as EmulatedApp[];
  const cloud = {
    appId: Number(process.env.TENCENT_APPID ?? 1250000000),
    secretId: process.env.TENCENT_SECRET_ID ?? "",
    secretKey: process.env.TENCENT_SECRET_KEY ?? "",
    buckets: (process.env.COS_BUCKETS ?? process.env.COS_BUCKET ?? "sxbedu").split(","),
    region: process.env.COS_REGION ?? "sh",
  };
  const emulator = await startTencentEmulator({ apps, cloud, port: Number(process.env.TENCENT_EMULATOR_PORT ?? 0) });
  process.stdout.write(`${emulator.url}\n`);
  process.once("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error("Tencent emulator failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
