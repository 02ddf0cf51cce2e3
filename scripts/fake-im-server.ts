import { startFakeIm } from "../test/support/fake-im";

/** The fake Tencent IM of the tests as a process of its own (benchmarks): prints its URL. */
async function main(): Promise<void> {
  const apps = JSON.parse(process.env.SDK_APPS ?? "[]") as Array<{ sdkAppId: number; secretKey: string; admin: string }>;
  const im = await startFakeIm(apps);
  process.stdout.write(`${im.url}\n`);
  process.once("SIGTERM", () => void im.close().then(() => process.exit(0)));
}

void main();
