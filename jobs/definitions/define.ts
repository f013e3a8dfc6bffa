import type { Queue, ScheduleOptions, WorkOptions } from "pg-boss";
import { z } from "zod";

/**
 * A job's contract, one file per job in this folder: its pg-boss queue name, the zod schema of its
 * payload (checked when it is enqueued and again when a worker takes it), its queue options (what
 * `ensureQueues` creates), and how the worker runs it. Definitions import nothing from lib/, so
 * anything may import them; the handlers live beside the jobs (jobs/*.ts, wired in jobs/worker.ts).
 */
export interface JobDefinition<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
  name: Name;
  schema: Schema;
  /** pg-boss's queue options (createQueue); `deleteAfterSeconds` is set on every queue by ensureQueues. */
  queue: Omit<Queue, "name">;
  /**
   * The worker runs it through pg-boss's `work()`, one job per handler call, with these options.
   * Absent: the job has a runner of its own (deliver-webhook: jobs/delivery-dispatcher.ts; `prompt`).
   */
  work?: Pick<WorkOptions, "localConcurrency" | "pollingIntervalSeconds" | "notifyPollingIntervalSeconds">;
  /**
   * The worker runs it through its own prompt fetch loop (jobs/queue-runner.ts) instead of `work()`: up to
   * `concurrency` jobs at once, fetching again as soon as there is room, at most `groupConcurrency` of one
   * pg-boss group's (a company's) jobs at once across all workers. For the notifications, which must not wait.
   */
  prompt?: { concurrency: number; groupConcurrency: number };
  /** A cluster-wide cron schedule (pg-boss runs each occurrence once, on one worker). */
  schedule?: { cron: string; options?: Omit<ScheduleOptions, "db"> };
}

/** What a job carries: its schema's output. */
export type PayloadOf<D extends JobDefinition> = z.output<D["schema"]>;

/** Keeps a definition's literal type (its name, schema, whether the worker runs it) for the registry and the worker. */
export function defineJob<const D extends JobDefinition>(definition: D): D {
  return definition;
}

/** Thrown when a payload does not match its job's schema: on enqueue (a bug in the sender) or in the worker. */
export class JobPayloadError extends Error {
  constructor(job: string, error: z.ZodError) {
    super(`${job}: the payload does not match its schema (jobs/definitions/${job}.ts): ${z.prettifyError(error)}`);
    this.name = "JobPayloadError";
  }
}

/** The payload as its schema reads it (unknown keys dropped), or a JobPayloadError. */
export function parsePayload<D extends JobDefinition>(job: D, data: unknown): PayloadOf<D> {
  const result = job.schema.safeParse(data);
  if (!result.success) throw new JobPayloadError(job.name, result.error);
  return result.data as PayloadOf<D>;
}

/** The schema of a job that carries nothing (scheduled jobs: pg-boss sends them with no data). */
export const noPayload = z.object({}).nullish();

/**
 * A notification job's place in its company's pg-boss group (notify-failure, send-email): the queue's
 * `groupConcurrency` then caps one company's jobs running at once across all workers, so its burst never
 * holds every worker while another company's email waits.
 */
export function companyGroup(companyId: string): { group: { id: string } } {
  return { group: { id: companyId } };
}
