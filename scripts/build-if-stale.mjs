// `npm start`, `npm run demo` and `npm run reaper` build first, unless dist/ was built from exactly
// the sources here (the digest `npm run build` records): a second command does not rebuild what the
// first just built. `npm test` always builds.
import { execSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
let fresh = false;
try {
  const { builtDigest, sourceDigest } = require("../dist/scripts/support/build-stamp.js");
  fresh = builtDigest(root) !== undefined && builtDigest(root) === sourceDigest(root);
} catch {
  // No build yet.
}
if (!fresh) execSync("npm run build", { stdio: "inherit", cwd: root });
