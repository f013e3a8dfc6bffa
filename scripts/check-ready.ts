/**
 * `npm run start:web`'s checks before Next.js starts (scripts/web.mjs --production runs this first):
 * DATABASE_URL set (no embedded database in production), every variable valid, the app built, the
 * database reachable and its schema as this release needs it. Exits 1 with what to do, else 0.
 */
import { prepareRuntime } from "./runtime";

await prepareRuntime({ production: "web", log: () => {} });
process.exit(0);
