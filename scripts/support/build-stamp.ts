import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * What dist/ was built from. `npm run build` records a digest of the sources after tsc has emitted them; a test
 * that runs the built server as a process compares it with the sources it has, so that it never tests stale code.
 * Contents, not modification times: tsc's incremental build skips files whose contents did not change.
 */

/** Where the build records its digest, from the project's root. */
export const BUILD_STAMP = join("dist", "build-stamp.json");

/** What dist/ is compiled from: src/'s and scripts/' TypeScript (the generated Prisma client included), the schema it is generated from, and the compiler's settings. */
const BUILT_FROM = ["src", "scripts", "tsconfig.json", "prisma/schema.prisma"];
const isSource = (path: string) => path.endsWith(".ts") || path === "tsconfig.json" || path.endsWith(".prisma");

/** Files at or under `path` (relative to `root`), in a fixed order, with "/" between names. */
function filesUnder(root: string, path: string): string[] {
  if (!statSync(join(root, path)).isDirectory()) return [path];
  return readdirSync(join(root, path))
    .sort()
    .flatMap((name) => filesUnder(root, `${path}/${name}`));
}

/** A digest of the sources' paths and contents under the project's root. */
export function sourceDigest(root: string): string {
  const hash = createHash("sha256");
  for (const path of BUILT_FROM.flatMap((top) => filesUnder(root, top)).filter(isSource)) {
    hash.update(path).update("\0").update(readFileSync(join(root, path))).update("\0");
  }
  return hash.digest("hex");
}

/** The digest the last build recorded, or undefined when dist/ has none. */
export function builtDigest(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, BUILD_STAMP), "utf8")) as { sources?: string }).sources;
  } catch {
    return undefined;
  }
}
