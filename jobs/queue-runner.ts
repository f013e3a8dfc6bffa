import type { Job, PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { parsePayload, type JobDefinition } from "./definitions";
import { log } from "@/lib/log";

/**
 * A prompt fetch loop for a small, latency-sensitive queue (the notifications: notify-failure, send-email), in place
 * of pg-boss's `work()`. A `work()` poller handles one job, then sleeps its polling interval (30 s on a queue with
 * NOTIFY) unless a new job's NOTIFY arrives meanwhile: a burst queued at once — one company's failing webhooks × its
 * admins — drained at about one job per 30 s per poller, and every later email waited behind it (one left ~2 minutes
 * late). This loop fetches again as soon as it has room, for as long as jobs come back; it sleeps only when the queue
 * is empty, until a NOTIFY or `pollMs` (jobs that come due later, e.g. the hour's summary, have no NOTIFY).
 *
 * Up to `concurrency` jobs run at once, each company's jobs at most `groupConcurrency` of them across all workers
 * (pg-boss groups: jobs are queued with `companyGroup`), so one company's burst never holds every place while
 * another company's email waits. Each job is completed when its handler returns, failed (pg-boss retries it) when
 * it throws; a job whose payload its schema refuses is failed with the reason.
 */
export class QueueRunner {
  private running = false;
  private readonly inFlight = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private loopDone: Promise<void> = Promise.resolve();
  private unlisten: (() => Promise<void>) | null = null;
  private fetchErrors = 0;

  constructor(
    private readonly boss: PgBoss,
    private readonly job: JobDefinition,
    private readonly handler: (payload: unknown) => Promise<unknown>,
    private readonly options: { concurrency: number; groupConcurrency?: number; pollMs?: number },
  ) {}

  async start(listen?: (onNotify: () => void) => Promise<() => Promise<void>>): Promise<void> {
    this.running = true;
    if (listen)
      this.unlisten = await listen(() => this.wake()).catch((err) => {
        log.warn(
          { job: this.job.name },
          `LISTEN failed, new jobs are seen by the poll: ${err instanceof Error ? err.message : String(err)}`,
        );
        return null;
      });
    this.loopDone = this.loop();
  }

  /** Fetch now (a new job, or a place freed). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops fetching and waits up to `timeoutMs` for the jobs in hand (the rest expire back to the queue). */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    await this.unlisten?.().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private async loop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    while (this.running) {
      // Cleared on every turn: with no room, a wake() left over from before must not turn this loop into a
      // busy spin that never awaits (and so never lets the jobs in hand finish).
      this.woken = false;
      const room = this.options.concurrency - this.inFlight.size;
      let fetched = 0;
      if (room > 0) {
        try {
          const jobs = await this.boss.fetch<unknown>(this.job.name, {
            batchSize: room,
            ...(this.options.groupConcurrency ? { groupConcurrency: this.options.groupConcurrency } : {}),
          });
          this.fetchErrors = 0;
          fetched = jobs.length;
          for (const job of jobs) this.run(job);
        } catch (err) {
          if (this.fetchErrors++ === 0)
            log.error(
              { job: this.job.name },
              `fetch failed, retrying every ${pollMs} ms: ${err instanceof Error ? err.message : String(err)}`,
            );
        }
      }
      if (!this.running) break;
      // Jobs came back and there is room: more may be waiting, fetch again at once. Woken meanwhile (a job
      // created, a place freed): fetch again at once too.
      if ((fetched > 0 && this.inFlight.size < this.options.concurrency) || this.woken) continue;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        timer = setTimeout(resolve, pollMs);
      });
      clearTimeout(timer);
      this.wakeUp = null;
    }
  }

  private run(job: Job<unknown>): void {
    const attempt = { id: job.id, retryCount: job.retryCount };
    const done: Promise<void> = (async () => {
      try {
        await this.handler(parsePayload(this.job, job.data));
        await this.boss.complete(this.job.name, attempt);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error({ job: this.job.name, jobId: job.id }, `job failed (pg-boss retries it): ${message}`);
        await this.boss.fail(this.job.name, attempt, { error: message }).catch(() => {});
      }
    })()
      .catch(() => {})
      .finally(() => {
        this.inFlight.delete(done);
        // A place is free: fetch the next job now rather than at the poll.
        this.wake();
      });
    this.inFlight.add(done);
  }
}

/**
 * LISTENs on pg-boss's channel with the app's own postgres client (a connection of its own) and calls `onNotify`
 * when a job of `name` is created; pg-boss's own listener only wakes `work()` pollers.
 */
export function listenForJobs(db: Database, name: string) {
  return async (onNotify: () => void): Promise<() => Promise<void>> => {
    const client = (db as unknown as { $client: import("postgres").Sql }).$client;
    const [{ channel }] = await client<
      { channel: string }[]
    >`select 'pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24) as channel`;
    // postgres.js re-LISTENs after a reconnect and calls onlisten again: fetch then, for what was missed.
    const handle = await client.listen(
      channel,
      (payload) => {
        if (payload === name) onNotify();
      },
      onNotify,
    );
    return () => handle.unlisten();
  };
}
