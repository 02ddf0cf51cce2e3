import type { Db } from "./prisma";

/**
 * Raw SQL for the one session switch a login makes, where Prisma has no statement for it:
 * the new token replaces the account's current one and the replaced one is returned, in
 * one statement. The sub-select locks the row (FOR UPDATE), so concurrent logins of one
 * account are serialized by PostgreSQL and each learns exactly the token it replaced:
 * no retry loop, and no replaced token is left behind. Parameters are bound.
 */
export async function switchSessionToken(db: Db, uin: number, tokenHash: string, at: Date): Promise<{ switched: boolean; previous: string | null }> {
  const rows = await db.$queryRaw<Array<{ previous: string | null }>>`
    UPDATE "Account" a
    SET "tokenHash" = ${tokenHash}, "loginAt" = ${at}, "lastRequestAt" = ${at}, "logoutAt" = NULL
    FROM (SELECT uin, "tokenHash" AS previous FROM "Account" WHERE uin = ${uin} FOR UPDATE) p
    WHERE a.uin = p.uin
    RETURNING p.previous`;
  return { switched: rows.length === 1, previous: rows[0]?.previous ?? null };
}
