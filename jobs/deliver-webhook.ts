import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import type { DeliverJob } from "./definitions";
import { runDeliveryPipeline, type DeliverJobResult, type JobInHand, type PipelineOptions } from "./delivery-pipeline";

/**
 * The deliver-webhook job's pg-boss wiring. Every delivery job — plain, a batch window, a manual
 * resend, an OAuth webhook's, a switched-off webhook's — goes through the one delivery pipeline
 * (jobs/delivery-pipeline.ts); the worker's fetch loop (jobs/delivery-dispatcher.ts) hands it the
 * jobs it fetches, and the SQL that changes delivery state is in db/queries/delivery-state.ts.
 */
export { Slots } from "./slots";

/** A batch of jobs as the worker fetched them, each settled on its own (see runDeliveryPipeline). */
export function deliverWebhookJobs(
  db: Database,
  boss: PgBoss,
  jobs: JobInHand[],
  options: PipelineOptions = {},
): Promise<DeliverJobResult[]> {
  return runDeliveryPipeline(db, boss, jobs, options);
}

/** One job, as a batch of one (tests); throws when its outcome could not be written. */
export async function deliverWebhook(
  db: Database,
  boss: PgBoss,
  job: DeliverJob,
  options: PipelineOptions = {},
): Promise<void> {
  const [result] = await runDeliveryPipeline(db, boss, [{ id: `direct-${Date.now()}`, data: job }], options);
  if (result.status === "failed") throw new Error(result.output?.error ?? "The delivery could not be written");
}
