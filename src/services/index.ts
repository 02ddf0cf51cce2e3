import type { Config } from "../config";
import type { Db } from "../infra/db/prisma";
import type { RedisClient } from "../infra/redis/client";
import type { ImClient } from "../infra/tencent/im";
import type { ReplayIndexClient } from "../infra/tencent/replay-index";
import type { VideorelayClient } from "../infra/tencent/videorelay";
import type { VodClient } from "../infra/tencent/vod";
import type { Logger } from "../logger";
import { RateLimits } from "../rate-limits/rate-limits";
import { AccountService } from "./accounts";
import { AppDirectory } from "./apps";
import { BindingService } from "./bindings";
import { CallbackAuth } from "./callback-auth";
import { CensusService } from "./census";
import { CourseLock } from "./course-lock";
import { CourseService } from "./courses";
import { ClassLifecycle } from "./lifecycle";
import { LiveRoomService } from "./live-rooms";
import { ClassMarkers } from "./markers";
import { MemberService } from "./members";
import { OperatorService } from "./operators";
import { WebhookOutbox } from "../webhooks/outbox";
import { WebhookDeliverer } from "../webhooks/delivery";
import { ConsoleService } from "./console";
import { PresenceService } from "./presence";
import { PresenceRebuild } from "./presence-rebuild";
import { ReaperSchedule } from "./reaper-schedule";
import { RecordingService } from "./recordings";
import { RelayService } from "./relay";
import { type BuiltInIndexUrl, ReplayIndexService } from "./replay-index";
import { SessionService } from "./sessions";
import { SignatureService } from "./signatures";
import type { Metrics } from "../metrics/metrics";

export interface ServiceDeps {
  config: Config;
  db: Db;
  redis: RedisClient;
  im: ImClient;
  vod: VodClient;
  replayIndex: ReplayIndexClient;
  videorelay: VideorelayClient;
  log: Logger;
  /** What the services count for Prometheus. */
  metrics: Metrics;
  /** The URL of a class's built-in replay index (this server's route serving it). */
  builtInIndexUrl: BuiltInIndexUrl;
}

/** The core: every door and worker calls these, never infra directly. */
export interface Services {
  apps: AppDirectory;
  sessions: SessionService;
  accounts: AccountService;
  presence: PresenceService;
  schedule: ReaperSchedule;
  presenceRebuild: PresenceRebuild;
  courses: CourseService;
  lifecycle: ClassLifecycle;
  members: MemberService;
  bindings: BindingService;
  signatures: SignatureService;
  callbackAuth: CallbackAuth;
  recordings: RecordingService;
  replayIndex: ReplayIndexService;
  relay: RelayService;
  liveRooms: LiveRoomService;
  rateLimits: RateLimits;
  census: CensusService;
  /** Console operators and their sessions. */
  operators: OperatorService;
  /** What the operator console shows and does. */
  console: ConsoleService;
  /** Delivers the webhooks' outbox. */
  webhooks: WebhookDeliverer;
  /** What requests and services count (the doors count requests; commands count callbacks). */
  metrics: Metrics;
}

export function createServices(deps: ServiceDeps): Services {
  const apps = new AppDirectory(deps);
  const sessions = new SessionService(deps);
  const accounts = new AccountService({ ...deps, sessions, im: deps.im });
  const presence = new PresenceService(deps);
  const schedule = new ReaperSchedule(deps);
  const lock = new CourseLock(deps);
  const markers = new ClassMarkers(deps);
  const outbox = new WebhookOutbox(deps);
  const recordings = new RecordingService({ ...deps, markers, lock, outbox });
  const relay = new RelayService({ ...deps, lock });
  const courses = new CourseService({ ...deps, presence, recordings, relay, outbox });
  const lifecycle = new ClassLifecycle({ ...deps, lock, markers, presence, relay, outbox });
  const members = new MemberService({ ...deps, lock, markers, presence, schedule, outbox });
  const bindings = new BindingService(deps);
  const presenceRebuild = new PresenceRebuild(deps);
  const signatures = new SignatureService(deps);
  const callbackAuth = new CallbackAuth(deps);
  const replayIndex = new ReplayIndexService({ ...deps, replayIndex: deps.replayIndex, recordings, outbox });
  const liveRooms = new LiveRoomService({ ...deps, presence, members, vod: deps.vod, courses, outbox });
  const consoleView = new ConsoleService({ ...deps, presence, relay, lifecycle, recordings, replayIndex });
  return { metrics: deps.metrics, rateLimits: new RateLimits(deps), census: new CensusService(deps), operators: new OperatorService(deps), console: consoleView, webhooks: new WebhookDeliverer(deps), apps, sessions, accounts, presence, schedule, presenceRebuild, courses, lifecycle, members, bindings, signatures, callbackAuth, recordings, replayIndex, relay, liveRooms };
}
