import type { Config, SdkApp } from "../config";
import type { Logger } from "../logger";

/** Distinct unconfigured appids logged at most, per process (a flood of made-up appids writes no more lines than this). */
const UNCONFIGURED_LOGGED_MAX = 100;

/**
 * The apps this server serves (SDK_APPS). A request that names another app is refused by
 * every door; the operator learns of it once per appid: a warning saying which app was
 * asked for and that SDK_APPS lacks it (a real client whose app was never configured
 * fails this way on its first call).
 */
export class AppDirectory {
  private readonly logged = new Set<number>();

  constructor(private readonly deps: { config: Config; log: Logger }) {}

  /** The app of requests that name none in the 随心播 live dialect (LIVE_APPID). */
  get liveDefault(): SdkApp {
    return this.deps.config.live.defaultApp;
  }

  /** The configured app with this SdkAppID, or undefined (logged once per appid). */
  find(appid: number): SdkApp | undefined {
    const app = this.deps.config.sdkApps.get(appid);
    if (!app) this.noteUnconfigured(appid);
    return app;
  }

  private noteUnconfigured(appid: number): void {
    if (this.logged.has(appid) || this.logged.size > UNCONFIGURED_LOGGED_MAX) return;
    this.logged.add(appid);
    if (this.logged.size > UNCONFIGURED_LOGGED_MAX) {
      this.deps.log.warn({ limit: UNCONFIGURED_LOGGED_MAX }, "more requests name apps that SDK_APPS lacks: no more are logged until restart");
      return;
    }
    const configured = [...this.deps.config.sdkApps.keys()];
    this.deps.log.warn({ appid, configured }, `a request named app ${appid}, which SDK_APPS lacks: refused (add the app to SDK_APPS to serve it)`);
  }
}
