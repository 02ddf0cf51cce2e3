import type { Client } from "pg";
import type { RedisClient } from "../../src/infra/redis/client";

/**
 * A digest of every row of every table and every Redis key: what a refused request must leave as
 * it was. Left out, as caches of refusals: the rate limits' counters ("rate:…"), since counting a
 * request, refused or not, is what they are for, and unknown tokens remembered as such (a session
 * key holding only `unknown`), since remembering a refused token is what spares PostgreSQL.
 */

let digestSql: string | undefined;

async function tablesDigestSql(db: Client): Promise<string> {
  if (digestSql) return digestSql;
  const tables = (await db.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`)).rows;
  digestSql = `SELECT ${tables.map(({ name }) => `'${name}:' || coalesce((SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM "${name}" t), '-')`).join(" || ',' || ")} AS d`;
  return digestSql;
}

const REDIS_DIGEST = `
local keys = redis.call('KEYS', '*')
table.sort(keys)
local parts = {}
for _, k in ipairs(keys) do
  local refusalCache = string.sub(k, 1, 5) == 'rate:' or (string.sub(k, 1, 8) == 'session:' and redis.call('HEXISTS', k, 'unknown') == 1)
  if not refusalCache then parts[#parts + 1] = k .. '=' .. (redis.call('DUMP', k) or '') end
end
return redis.sha1hex(table.concat(parts, '|'))`;

export async function stateSnapshot(db: Client, redis: RedisClient): Promise<string> {
  const [rows, keys] = await Promise.all([db.query<{ d: string }>(await tablesDigestSql(db)), redis.eval(REDIS_DIGEST, 0) as Promise<string>]);
  return `${rows.rows[0]!.d}#${keys}`;
}
