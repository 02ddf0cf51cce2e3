import type { SdkApp } from "../config";
import { Errors } from "../errors";
import type { Db } from "../infra/db/prisma";
import { isUniqueViolation } from "./accounts";
import type { CourseService } from "./courses";
import { CourseState, Role, type SessionUser } from "./domain";

/**
 * Courseware and videos bound to a course (by its teacher, while created or living),
 * or to a user's own library (no course). A url is bound once per course or library.
 */

export interface BoundFile {
  type: number;
  fileName: string;
  url: string;
}

export interface BindingQuery {
  roomnum?: number;
  fromTime?: number;
  toTime?: number;
  index: number;
  size: number;
}

const courseScope = (roomnum: number) => `c:${roomnum}`;
const libraryScope = (uin: number) => `u:${uin}`;

export class BindingService {
  constructor(private readonly deps: { db: Db; courses: CourseService }) {}

  /** The scope a bind/unbind acts on; a course's only for its teacher while it is open. */
  private async writableScope(app: SdkApp, user: SessionUser, roomnum: number | undefined): Promise<string> {
    if (roomnum === undefined) return libraryScope(user.uin);
    const course = await this.deps.courses.get(app, roomnum);
    if (user.role !== Role.teacher || course.hostUin !== user.uin) throw Errors.onlyOwnerBinds();
    if (course.state !== CourseState.created && course.state !== CourseState.living) throw Errors.bindNeedsOpenCourse();
    return courseScope(roomnum);
  }

  async bind(app: SdkApp, user: SessionUser, roomnum: number | undefined, file: BoundFile): Promise<void> {
    const scope = await this.writableScope(app, user, roomnum);
    try {
      await this.deps.db.binding.create({ data: { uin: user.uin, roomnum: roomnum ?? null, scope, type: file.type, fileName: file.fileName, url: file.url } });
    } catch (error) {
      if (isUniqueViolation(error)) throw Errors.repeatBind();
      throw error;
    }
  }

  async unbind(app: SdkApp, user: SessionUser, roomnum: number | undefined, url: string): Promise<void> {
    const scope = await this.writableScope(app, user, roomnum);
    const removed = await this.deps.db.binding.deleteMany({ where: { scope, url } });
    if (removed.count === 0) throw Errors.notBound();
  }

  /** A course's bindings (for its teacher and members, present or past), or the caller's library. */
  async query(app: SdkApp, user: SessionUser, query: BindingQuery): Promise<{ total: number; files: Array<BoundFile & { boundAt: Date }> }> {
    const { db, courses } = this.deps;
    let scope = libraryScope(user.uin);
    if (query.roomnum !== undefined) {
      const course = await courses.get(app, query.roomnum);
      if (course.hostUin !== user.uin && !(await db.classMember.findFirst({ where: { roomnum: query.roomnum, uin: user.uin }, select: { id: true } }))) {
        throw Errors.onlyMembersQueryBindings();
      }
      scope = courseScope(query.roomnum);
    }
    const boundAt = {
      ...(query.fromTime ? { gte: new Date(query.fromTime * 1000) } : {}),
      ...(query.toTime ? { lte: new Date(query.toTime * 1000) } : {}),
    };
    const where = { scope, ...(query.fromTime || query.toTime ? { boundAt } : {}) };
    const [total, rows] = await Promise.all([
      db.binding.count({ where }),
      query.size === 0 ? Promise.resolve([]) : db.binding.findMany({ where, orderBy: { id: "desc" }, skip: query.index, take: query.size }),
    ]);
    return { total, files: rows.map((r) => ({ type: r.type, fileName: r.fileName, url: r.url, boundAt: r.boundAt })) };
  }
}
