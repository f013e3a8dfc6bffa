import os from "node:os";
import type { Database } from "@/db";
import { beatWorker, registerWorker } from "@/db/queries/workers";
import type { DeliveryDispatcher } from "./delivery-dispatcher";

/** How often a worker updates its row in the workers table. */
export const WORKER_BEAT_MS = 5_000;

/**
 * Keeps this worker process's row in the `workers` table up to date (db/schema.ts): registered at start,
 * a beat every 5 s with the delivery jobs it has finished and those in hand, `stopped_at` on a clean
 * stop. A beat that fails (the database away) is simply skipped: the next one carries the totals.
 */
export async function startWorkerHeartbeat(db: Database, dispatcher: DeliveryDispatcher) {
  const id = await registerWorker(db, os.hostname(), process.pid);
  const figures = () => ({ deliveryJobs: dispatcher.finishedJobs, jobsInHand: dispatcher.jobsInHand });
  const timer = setInterval(() => void beatWorker(db, id, figures()).catch(() => {}), WORKER_BEAT_MS);
  timer.unref();
  return {
    id,
    /** The last beat, marked stopped (after the jobs in hand are finished). */
    async stop() {
      clearInterval(timer);
      await beatWorker(db, id, { ...figures(), stopped: true }).catch(() => {});
    },
  };
}
