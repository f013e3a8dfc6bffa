/**
 * `npm run migrate`: brings the database to this release — drizzle's migrations, pg-boss's schema and
 * queues, and the data step — then exits. Run it once per release before starting (or restarting) the
 * production processes (`npm run start:web`, `npm run start:worker`), which check the schema and refuse
 * to start when it is behind. Idempotent. Without DATABASE_URL it migrates the embedded database
 * (what `npm start` does at every start anyway).
 */
import { prepareRuntime } from "./runtime";

const runtime = await prepareRuntime();
await runtime.stop();
process.exit(0);
