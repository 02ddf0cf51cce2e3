import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD_STAMP, sourceDigest } from "./support/build-stamp";

/** The last step of `npm run build`: records what dist/ was compiled from (see scripts/support/build-stamp.ts). */
const root = join(__dirname, "..", "..");
writeFileSync(join(root, BUILD_STAMP), `${JSON.stringify({ sources: sourceDigest(root) })}\n`);
