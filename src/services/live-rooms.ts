import type { Config, SdkApp } from "../config";
import { AppError, ErrorCode, Errors } from "../errors";
import type { Course, LiveRoom, Prisma } from "../generated/prisma/client";
import type { Db } from "../infra/db/prisma";
import { livePlayUrls, type LivePlayUrls } from "../infra/tencent/live-urls";
import { type VodClient, VodError } from "../infra/tencent/vod";
import type { Logger } from "../logger";
import { CourseState, EndReason, INT32_MAX, LeaveReason, nowToTheSecond, RoomMode, type SessionUser, unixSeconds } from "./domain";
import type { WebhookOutbox } from "../webhooks/outbox";
import type { CourseFacts, CourseService } from "./courses";
import type { MemberService } from "./members";
import { type LiveBeat, LiveRole, presenceRoomOf, type PresenceService } from "./presence";
import { countedPage } from "./paging";

/**
 * The 随心播 live shows (live-protocol.md §A): a host goes live in a room of its own, viewers
 * join, some go on mic. A live room is a course of mode "live" on the classroom's core:
 * the same accounts and tokens, stays in ClassMember, presence and the reaper (with the
 * live timeouts), and no IM markers. A room is living from its creation (the host's
 * silence ends it, as the original's 90-second sweep did) and listed once its host has
 * reported it. A user is in one live room at a time (the original keyed members by user).
 */

/** What the host's client reports of its room (live.reportroom). */
export interface ReportedRoom {
  roomnum: number;
  title: string | undefined;
  cover: string | undefined;
  type: string;
  groupId: string;
  device: number;
  videoType: number;
  appid: string;
  lbs: { longitude?: number; latitude?: number; address?: string } | undefined;
}

/** A listed live room: the course, its report, its host, who is present, its thumbs-up. */
export interface ListedLiveRoom {
  course: Course;
  report: LiveRoom;
  hostUid: string;
  memsize: number;
  thumbup: number;
  play: LivePlayUrls;
}

/** A live room as the access policies load it (of the caller's app, in any state): the course, its report if any, its host. */
export type LiveRoomRecord = Course & { liveRoom: LiveRoom | null; host: { uid: string } };

/** A recorded video as the live record list shows it. */
export interface LiveRecord {
  uid: string;
  cover: string;
  name: string;
  videoId: string;
  playUrls: string[];
  createTime: number;
  fileSize: number;
  duration: number;
}

/** Where a beat that names no room of the caller's looks for the room it joined: memory first, then Redis. */
const REMEMBERED_THEN_FRESH = [false, true] as const;

/** How the apps name their manual recordings (sxb_<uid>_<name>): the record list's channel mode lists those. */
const VOD_RECORD_PREFIX = "sxb_";

export class LiveRoomService {
  constructor(
    private readonly deps: {
      config: Config;
      db: Db;
      presence: PresenceService;
      members: MemberService;
      courses: CourseService;
      vod: VodClient;
      log: Logger;
      outbox: WebhookOutbox;
    },
  ) {}

  /** live.create: a new room of the host's; its earlier live room ends (one live per host). */
  async create(app: SdkApp, user: SessionUser): Promise<{ roomnum: number; groupid: string }> {
    const { db, presence } = this.deps;
    const earlier = await db.course.findMany({ where: { hostUin: user.uin, mode: RoomMode.live, state: CourseState.living }, select: { roomnum: true } });
    await this.endRooms(earlier.map((c) => c.roomnum), EndReason.teacher);
    await this.leaveEverywhere(user.uin);
    const now = nowToTheSecond();
    const course = await this.deps.outbox.withEvents(db, undefined, async (tx) => {
      const created = await tx.course.create({
        data: { appid: app.sdkAppId, hostUin: user.uin, mode: RoomMode.live, title: "", state: CourseState.living, createdAt: now, startedAt: now, effectiveAt: now },
      });
      await tx.classMember.create({ data: { roomnum: created.roomnum, uin: user.uin, role: LiveRole.host, joinedAt: now } });
      const base = { appid: app.sdkAppId, roomnum: created.roomnum, occurredAt: now };
      const events = [
        { ...base, type: "course.started" as const, data: { roomnum: created.roomnum, mode: "live" as const, title: "", host_uid: user.uid, begin_time: unixSeconds(now), begin_imseq: 0 } },
        { ...base, type: "member.joined" as const, data: { roomnum: created.roomnum, uid: user.uid, role: LiveRole.host, join_time: unixSeconds(now) } },
      ];
      return { result: created, events };
    });
    await presence.classStarted(presenceRoomOf(course), now.getTime());
    return { roomnum: course.roomnum, groupid: String(course.roomnum) };
  }

  /**
   * The live room with this number, if it is one of this app's (in any state), else 10010:
   * the one lookup by number, made by the access policies (another app's room does not exist).
   */
  async roomOf(app: SdkApp, roomnum: number): Promise<LiveRoomRecord> {
    const course = await this.find(roomnum);
    if (!course || course.appid !== app.sdkAppId) throw Errors.liveRoomNotExist();
    return course;
  }

  /** live.reportroom: the host (its access policy) says what the living room is (title, cover, type, chat group, device…); it is listed from now. */
  async report(course: LiveRoomRecord, reported: Omit<ReportedRoom, "roomnum">): Promise<void> {
    if (!isLiving(course)) throw Errors.liveRoomNotExist();
    const { db, presence } = this.deps;
    const now = nowToTheSecond();
    const info = {
      type: reported.type,
      groupId: reported.groupId,
      device: reported.device,
      videoType: reported.videoType,
      reportedAppid: reported.appid,
      longitude: reported.lbs?.longitude ?? null,
      latitude: reported.lbs?.latitude ?? null,
      address: reported.lbs?.address ?? "",
      reportedAt: now,
    };
    await db.$transaction([
      db.course.update({ where: { roomnum: course.roomnum }, data: { ...(reported.title !== undefined ? { title: reported.title } : {}), ...(reported.cover !== undefined ? { cover: reported.cover } : {}) } }),
      db.liveRoom.upsert({ where: { roomnum: course.roomnum }, create: { roomnum: course.roomnum, ...info }, update: info }),
    ]);
    // A reported room starts its thumbs-up count afresh (the original's REPLACE).
    await presence.setThumbup(course.roomnum, 0);
  }

  /** live.roomlist / livestreamlist: the reported rooms still living, newest report first. */
  async list(app: SdkApp, filter: { index: number; size: number; type?: string }): Promise<{ total: number; rooms: ListedLiveRoom[] }> {
    const { db } = this.deps;
    const where = {
      appid: app.sdkAppId,
      mode: RoomMode.live,
      state: CourseState.living,
      liveRoom: filter.type === undefined ? { isNot: null } : { is: { type: filter.type } },
    };
    const [total, courses] = await countedPage(
      db.course.count({ where }),
      filter.size,
      () =>
        db.course.findMany({
          where,
          orderBy: [{ liveRoom: { reportedAt: "desc" } }, { roomnum: "desc" }],
          skip: filter.index,
          take: filter.size,
          include: { liveRoom: true, host: { select: { uid: true } } },
        }),
    );
    return { total, rooms: await this.listedOf(courses) };
  }

  /** The room as lists show it, if reported and still living (10010 if not). */
  async describe(course: LiveRoomRecord): Promise<ListedLiveRoom> {
    if (!isListed(course)) throw Errors.liveRoomNotExist();
    const [room] = await this.listedOf([course]);
    if (!room) throw Errors.liveRoomNotExist();
    return room;
  }

  /** Rooms as lists show them: who is present, the thumbs-up, the play URLs. */
  private async listedOf(courses: ReadonlyArray<Course & { liveRoom: LiveRoom | null; host: { uid: string } }>): Promise<ListedLiveRoom[]> {
    const { presence, config } = this.deps;
    const [memsizes, thumbups] = await Promise.all([
      presence.countPresent(courses.map(presenceRoomOf), Date.now()),
      presence.thumbupsOf(courses.map((c) => c.roomnum)),
    ]);
    return courses.flatMap(({ liveRoom, host, ...course }) =>
      liveRoom
        ? [
            {
              course,
              report: liveRoom,
              hostUid: host.uid,
              memsize: memsizes.get(course.roomnum) ?? 0,
              thumbup: thumbups.get(course.roomnum) ?? 0,
              play: livePlayUrls(config.live.bizId, config.live.playHost, course.roomnum, host.uid, liveRoom.videoType === 1),
            },
          ]
        : [],
    );
  }

  /** live.getroomplayurl: the room's cover and play URLs if it is listed, else undefined. */
  playUrlsOf(course: LiveRoomRecord | undefined): { cover: string; play: LivePlayUrls } | undefined {
    if (!course || !isListed(course)) return undefined;
    const { bizId, playHost } = this.deps.config.live;
    return { cover: course.cover, play: livePlayUrls(bizId, playHost, course.roomnum, course.host.uid, course.liveRoom.videoType === 1) };
  }

  /** live.reportmemid 0: the user joins a listed room with a role (and leaves any other live room). */
  async enter(user: SessionUser, course: LiveRoomRecord, role: number): Promise<void> {
    if (!isListed(course)) throw Errors.liveRoomNotExist();
    const { roomnum } = course;
    await this.leaveEverywhere(user.uin, roomnum);
    const room = presenceRoomOf(course);
    const now = await this.deps.members.openStay(roomnum, user, role);
    await this.deps.presence.entered(room, user.uin, now.getTime(), role);
  }

  /**
   * live.heartbeat: the caller's presence, with its role. The apps name their own room only when
   * hosting (Android viewers send -1, or the room they last hosted); as the original, which
   * refreshed the caller by user, a beat that names no room the caller is in beats in the room it
   * joined. Redis only: the joined room is read from memory for a moment, the room's facts too.
   */
  async heartbeat(app: SdkApp, user: SessionUser, named: CourseFacts | undefined, beat: LiveBeat): Promise<void> {
    const { members, presence } = this.deps;
    if (named && (await members.heartbeat(user, named, beat)) !== "absent") return;
    // The room it joined, as this instance remembers it, then (if that was not it) as Redis says.
    let tried = named?.roomnum;
    for (const fresh of REMEMBERED_THEN_FRESH) {
      const joined = await presence.liveRoomJoined(user.uin, fresh);
      if (joined === undefined) return;
      if (joined === tried) continue;
      tried = joined;
      const room = await this.factsOfLiveRoom(app, joined);
      if (room && (await members.heartbeat(user, room, beat)) !== "absent") return;
    }
  }

  /** A live room's facts from memory (undefined when it is none of the app's). */
  private async factsOfLiveRoom(app: SdkApp, roomnum: number): Promise<CourseFacts | undefined> {
    try {
      return await this.deps.courses.factsOf(app, roomnum, RoomMode.live);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.roomNotExist) return undefined;
      throw error;
    }
  }

  /** live.reportmemid 1: the user leaves whatever live room it is in. */
  async leave(user: SessionUser): Promise<void> {
    await this.leaveEverywhere(user.uin);
  }

  /** live.request: asks to go on mic: a viewer of the room (joining it if needed), mic off until it reports on. */
  async requestMic(user: SessionUser, course: LiveRoomRecord): Promise<void> {
    if (!isListed(course)) throw Errors.liveRoomNotExist();
    const role = course.hostUin === user.uin ? LiveRole.host : LiveRole.viewer;
    const present = await this.deps.presence.presentMembers(presenceRoomOf(course), Date.now());
    if (!present.includes(user.uin)) await this.enter(user, course, role);
    await this.deps.presence.setLiveMember(course.roomnum, user.uin, { role, mic: "off" });
  }

  /** live.reportstatus: on mic (a co-host, role 2) or off (a viewer again); the host stays the host. */
  async reportMic(user: SessionUser, course: LiveRoomRecord, status: "on" | "off"): Promise<void> {
    if (!isLiving(course)) return; // as the original: nothing to update is no error
    const role = course.hostUin === user.uin ? LiveRole.host : status === "on" ? LiveRole.coHost : LiveRole.viewer;
    await this.deps.presence.setLiveMember(course.roomnum, user.uin, { role, mic: status });
  }

  /** live.roomidlist: who is in the room (host first by uin order) with their roles. */
  async members(course: LiveRoomRecord, index: number, size: number): Promise<{ total: number; members: Array<{ uid: string; role: number }> }> {
    if (!isLiving(course)) return { total: 0, members: [] };
    const { roomnum } = course;
    const room = presenceRoomOf(course);
    const [present, { roles }] = await Promise.all([this.deps.presence.presentMembers(room, Date.now()), this.deps.presence.liveState(roomnum)]);
    const page = present.slice(index, index + size);
    const accounts = page.length === 0 ? [] : await this.deps.db.account.findMany({ where: { uin: { in: page } }, select: { uin: true, uid: true } });
    const uidOf = new Map(accounts.map((a) => [a.uin, a.uid]));
    return {
      total: present.length,
      members: page.flatMap((uin) => {
        const uid = uidOf.get(uin);
        return uid === undefined ? [] : [{ uid, role: roles.get(uin) ?? (uin === course.hostUin ? LiveRole.host : LiveRole.viewer) }];
      }),
    };
  }

  /** live.reportrecord: the host's manual recording, named (the record list shows its name and cover). */
  async reportRecord(user: SessionUser, course: LiveRoomRecord, record: { name: string; type: number; cover: string | undefined }): Promise<void> {
    if (course.hostUin !== user.uin) return; // as the original: nothing stored is no error
    await this.deps.db.liveRoom.updateMany({
      where: { roomnum: course.roomnum },
      data: { recordName: record.name, recordType: record.type, ...(record.cover !== undefined ? { recordCover: record.cover } : {}) },
    });
  }

  /** live.exitroom: the host (its access policy) closes its room (everyone leaves); a repeat is success. */
  async exit(course: LiveRoomRecord): Promise<void> {
    await this.endRooms([course.roomnum], EndReason.teacher);
  }

  /** The reaper: ends the rooms whose host has been silent since before `deadlineMs`. */
  async endSilentClasses(roomnums: readonly number[], deadlineMs: number): Promise<{ ended: number[]; failed: number[] }> {
    const silent: number[] = [];
    for (const roomnum of roomnums) {
      const lastBeat = await this.deps.presence.teacherLastBeat(roomnum);
      if (lastBeat !== undefined && lastBeat <= deadlineMs) silent.push(roomnum);
    }
    return { ended: await this.endRooms(silent, EndReason.timeout), failed: [] };
  }

  /** The app's recorded videos of live rooms (type 0), newest first; `index` is a 1-based page as in the original. */
  async records(app: SdkApp, page: number, size: number, ownerUid: string | undefined): Promise<{ total: number; records: LiveRecord[] }> {
    const where: Prisma.VideoRecordWhereInput = { course: { appid: app.sdkAppId, mode: RoomMode.live }, ...(ownerUid !== undefined ? { account: { uid: ownerUid } } : {}) };
    const [total, rows] = await countedPage(
      this.deps.db.videoRecord.count({ where }),
      size,
      () =>
        this.deps.db.videoRecord.findMany({
          where,
          orderBy: { id: "desc" },
          skip: (Math.max(page, 1) - 1) * size,
          take: size,
          include: { account: { select: { uid: true } }, course: { select: { title: true, cover: true, liveRoom: true } } },
        }),
    );
    return {
      total,
      records: rows.map((row) => ({
        uid: row.account.uid,
        cover: row.course.liveRoom?.recordCover || row.course.cover,
        name: row.course.liveRoom?.recordName || row.course.title,
        videoId: row.videoId,
        playUrls: [row.videoUrl],
        createTime: Math.floor(row.recordedAt.getTime() / 1000),
        fileSize: Number(row.fileSize),
        duration: row.duration,
      })),
    };
  }

  /**
   * The record list's "channel mode" (type ≠ 0): the VOD files whose names start with "sxb_"
   * (the apps name manual recordings `sxb_<uid>_<name>`), from VOD (SearchMedia; the
   * original's DescribeVodPlayInfo v2 is retired).
   */
  async vodRecords(page: number, size: number): Promise<{ total: number; records: LiveRecord[] }> {
    let reply: Record<string, unknown>;
    try {
      reply = await this.deps.vod.call("SearchMedia", { Text: VOD_RECORD_PREFIX, Offset: (Math.max(page, 1) - 1) * size, Limit: Math.max(size, 1) });
    } catch (error) {
      if (!(error instanceof VodError)) throw error;
      throw Errors.callQcloudFailed(0, error.message);
    }
    const media = Array.isArray(reply.MediaInfoSet) ? (reply.MediaInfoSet as Array<{ FileId?: string; BasicInfo?: Record<string, unknown> }>) : [];
    return {
      total: typeof reply.TotalCount === "number" ? reply.TotalCount : media.length,
      records: (size === 0 ? [] : media).map((m) => {
        const info = m.BasicInfo ?? {};
        const name = typeof info.Name === "string" ? info.Name : "";
        const created = typeof info.CreateTime === "string" ? Date.parse(info.CreateTime) : NaN;
        return {
          uid: name.split("_")[1] ?? "",
          cover: typeof info.CoverUrl === "string" ? info.CoverUrl : "",
          name,
          videoId: m.FileId ?? "",
          playUrls: typeof info.MediaUrl === "string" ? [info.MediaUrl] : [],
          createTime: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
          fileSize: typeof info.Size === "number" ? info.Size : 0,
          duration: typeof info.Duration === "number" ? Math.round(info.Duration) : 0,
        };
      }),
    };
  }

  /** Ends live rooms still living: everyone leaves, presence forgets them (no relay runs in a live room: the relay commands are the classroom's). */
  private async endRooms(roomnums: readonly number[], reason: EndReason): Promise<number[]> {
    if (roomnums.length === 0) return [];
    const { db, presence } = this.deps;
    const now = nowToTheSecond();
    const ended = await db.$transaction(async (tx) => {
      const rows = await tx.course.updateManyAndReturn({
        where: { roomnum: { in: [...roomnums] }, mode: RoomMode.live, state: CourseState.living },
        data: { state: CourseState.ended, endedAt: now, endReason: reason, memberVersion: { increment: 1 } },
        select: { roomnum: true, appid: true, title: true, host: { select: { uid: true } } },
      });
      const done = rows.map((r) => r.roomnum);
      await tx.classMember.updateMany({ where: { roomnum: { in: done }, leftAt: null }, data: { leftAt: now, leaveReason: LeaveReason.classEnded } });
      const endReason = reason === EndReason.timeout ? ("reaper" as const) : ("teacher" as const);
      await this.deps.outbox.record(
        tx,
        rows.map((r) => ({
          type: "course.ended" as const,
          appid: r.appid,
          roomnum: r.roomnum,
          occurredAt: now,
          data: { roomnum: r.roomnum, mode: "live" as const, title: r.title, host_uid: r.host.uid, end_time: unixSeconds(now), end_imseq: 0, reason: endReason },
        })),
      );
      return done;
    });
    await Promise.all(ended.map((roomnum) => presence.classEnded(roomnum, RoomMode.live)));
    return ended;
  }

  /** Closes the user's open live stays (one live room at a time), but in `except`. */
  private async leaveEverywhere(uin: number, except?: number): Promise<void> {
    const { db, presence } = this.deps;
    const open = await db.classMember.findMany({
      where: { uin, leftAt: null, course: { mode: RoomMode.live, state: CourseState.living }, ...(except !== undefined ? { roomnum: { not: except } } : {}) },
      select: { roomnum: true },
    });
    if (open.length === 0) return;
    const rooms = [...new Set(open.map((o) => o.roomnum))];
    const now = nowToTheSecond();
    for (const roomnum of rooms) {
      await this.deps.outbox.withEvents(db, roomnum, async (tx) => {
        const closed = await tx.classMember.updateMany({ where: { uin, leftAt: null, roomnum }, data: { leftAt: now, leaveReason: LeaveReason.left } });
        if (closed.count === 0 || !this.deps.outbox.listensToAny()) return { result: undefined, events: [] };
        const member = await tx.account.findUniqueOrThrow({ where: { uin }, select: { uid: true, appid: true } });
        const data = { roomnum, uid: member.uid, leave_time: unixSeconds(now), reason: "left" as const };
        return { result: undefined, events: [{ type: "member.left" as const, appid: member.appid, roomnum, occurredAt: now, data }] };
      });
    }
    await Promise.all(rooms.map((roomnum) => presence.left(roomnum, uin, RoomMode.live)));
  }

  /** A live room by the number a caller gave (none beyond the ids that exist), with its report and host. */
  private async find(roomnum: number): Promise<LiveRoomRecord | null> {
    if (roomnum <= 0 || roomnum > INT32_MAX) return null;
    const course = await this.deps.db.course.findUnique({ where: { roomnum }, include: { liveRoom: true, host: { select: { uid: true } } } });
    return course?.mode === RoomMode.live ? course : null;
  }
}

const isLiving = (course: Course): boolean => course.state === CourseState.living;

/** A living room its host has reported: listed, and the only kind viewers join (as the original's live records). */
const isListed = (course: LiveRoomRecord): course is LiveRoomRecord & { liveRoom: LiveRoom } => isLiving(course) && course.liveRoom !== null;
