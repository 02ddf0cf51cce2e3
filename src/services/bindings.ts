import { Errors } from "../errors";
import { isUniqueViolation } from "../infra/db/errors";
import type { Db } from "../infra/db/prisma";
import type { Course } from "./courses";
import { CourseState, nowToTheSecond, type SessionUser } from "./domain";
import { countedPage } from "./paging";

/**
 * Courseware and videos bound to a course (while it is created or living), or to a
 * user's own library (no course). A url is bound once per course or library. Who may
 * bind or read is the commands' access policy; the rules of state are here.
 */

export interface BoundFile {
  type: number;
  fileName: string;
  url: string;
}

export interface BindingQuery {
  fromTime?: number;
  toTime?: number;
  index: number;
  size: number;
}

const courseScope = (roomnum: number) => `c:${roomnum}`;
const libraryScope = (uin: number) => `u:${uin}`;

/** The scope a binding belongs to: the course's, or the user's library. */
const scopeOf = (user: SessionUser, course: Course | undefined) => (course ? courseScope(course.roomnum) : libraryScope(user.uin));

export class BindingService {
  constructor(private readonly deps: { db: Db }) {}

  /** A course's bindings change only while it is open. */
  private writableScope(user: SessionUser, course: Course | undefined): string {
    if (course && course.state !== CourseState.created && course.state !== CourseState.living) throw Errors.bindNeedsOpenCourse();
    return scopeOf(user, course);
  }

  async bind(user: SessionUser, course: Course | undefined, file: BoundFile): Promise<void> {
    const scope = this.writableScope(user, course);
    try {
      await this.deps.db.binding.create({
        data: { uin: user.uin, roomnum: course?.roomnum ?? null, scope, type: file.type, fileName: file.fileName, url: file.url, boundAt: nowToTheSecond() },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw Errors.repeatBind();
      throw error;
    }
  }

  async unbind(user: SessionUser, course: Course | undefined, url: string): Promise<void> {
    const removed = await this.deps.db.binding.deleteMany({ where: { scope: this.writableScope(user, course), url } });
    if (removed.count === 0) throw Errors.notBound();
  }

  /** A course's bindings, or the caller's library; newest first. */
  async query(user: SessionUser, course: Course | undefined, query: BindingQuery): Promise<{ total: number; files: Array<BoundFile & { boundAt: Date }> }> {
    const { db } = this.deps;
    const boundAt = {
      ...(query.fromTime ? { gte: new Date(query.fromTime * 1000) } : {}),
      ...(query.toTime ? { lte: new Date(query.toTime * 1000) } : {}),
    };
    const where = { scope: scopeOf(user, course), ...(query.fromTime || query.toTime ? { boundAt } : {}) };
    const [total, rows] = await countedPage(
      db.binding.count({ where }),
      query.size,
      () => db.binding.findMany({ where, orderBy: { id: "desc" }, skip: query.index, take: query.size }),
    );
    return { total, files: rows.map((r) => ({ type: r.type, fileName: r.fileName, url: r.url, boundAt: r.boundAt })) };
  }
}
