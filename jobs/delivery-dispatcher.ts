import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import {
  DELIVERY_HEARTBEAT_SECONDS,
  deliverWebhook,
  enqueueMany,
  JobPayloadError,
  parsePayload,
  type DeliverJob,
} from "./definitions";
import { deliverWebhookJobs } from "./deliver-webhook";
import { listenForJobs } from "./queue-runner";
import type { Slots } from "./slots";
import { log } from "@/lib/log";

type FetchedJob = {
  id: string;
  retryCount: number;
  groupId?: string | null;
  groupTier?: string | null;
  expireInSeconds?: number;
  heartbeatSeconds?: number | null;
  data: DeliverJob;
};

/** A job in hand this long without an answer makes the worker keep its last share free (see fetchFairly). */
const SLOW_MS = 2000;
/** Companies seen with work within this window count as "around" (see othersAround). */
const OTHERS_WINDOW_MS = 60_000;
/** With no other company around: how soon a fetch that leaves over-share companies out runs again after one that found
 * nobody else. */
const LOOK_AGAIN_MS = 250;

/** Whose job this is, for the shares (a job written before jobs carried their company: its webhook stands in). */
function companyOf(job: FetchedJob): string {
  return job.data.companyId ?? `webhook:${job.data.webhookId ?? job.groupId ?? "?"}`;
}

export interface DispatcherOptions {
  /** Delivery jobs in hand at most (fetched and not yet settled): the process's requests in flight. */
  capacity: number;
  /** Jobs asked for per fetch at most. */
  batchSize: number;
  /** pg-boss's per-group (per-webhook) limit on active jobs, across all worker processes. */
  groupConcurrency: { default: number; tiers: Record<string, number> };
  slots: Slots;
  /** Backstop poll (retries and execution delays come due without a NOTIFY). */
  pollMs?: number;
  /**
   * A company's fair share of the room (jobs in hand); default a quarter of `capacity`. Past it, the
   * company's webhooks are left out of the fetch while other companies' jobs wait, and the share is
   * also the room kept free for them when one company could take the rest.
   */
  companyShare?: number;
}

/**
 * The delivery worker's one fetch loop. pg-boss's `work()` pollers each wait for their whole batch
 * before fetching again, so a slow receiver's job held its poller (and the fetch of everything behind
 * it) for its timeout; with enough slow webhooks every poller waited. Here one loop fetches whenever
 * the process has room (`capacity` jobs in hand), each job is settled as soon as its answer is written
 * (deliverWebhookJobs writes and completes them in waves), and every settle makes room for the next
 * fetch at once. It wakes on pg-boss's NOTIFY for new jobs, on every settle, and polls every second.
 *
 * It fetches only when room is free, so a webhook at its group limit is not fetched over and over
 * (a fetch whose candidates are all in full groups scans the whole backlog: 5 ms at 5,000 queued).
 * Jobs in hand are heartbeated in one statement every half heartbeat; when the process dies they
 * go back to the queue after DELIVERY_HEARTBEAT_SECONDS.
 */
export class DeliveryDispatcher {
  private readonly inHand = new Map<string, FetchedJob>();
  /** Jobs in hand per company. */
  private readonly byCompany = new Map<string, number>();
  /** The webhooks (pg-boss groups) seen of each company, to leave a company over its share out of a fetch. */
  private readonly companyWebhooks = new Map<string, Set<string>>();
  /** When each job in hand was taken (Date.now()). */
  private readonly takenAt = new Map<string, number>();
  private lastEmptyLook = 0;
  /** When each company last had a job taken by this worker. */
  private readonly seenAt = new Map<string, number>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly batches = new Set<Promise<void>>();
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private fetchErrors = 0;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  /** Delivery jobs this process has finished (the workers table's delivery_jobs: jobs/worker-heartbeat.ts). */
  finishedJobs = 0;

  /** Delivery jobs in hand right now. */
  get jobsInHand(): number {
    return this.inHand.size;
  }

  constructor(
    private readonly boss: PgBoss,
    private readonly db: Database,
    private readonly options: DispatcherOptions,
  ) {}

  async start(listen?: (onNotify: () => void) => Promise<() => Promise<void>>): Promise<void> {
    this.starting = this.begin(listen);
    await this.starting;
    this.starting = null;
  }

  private async begin(listen?: (onNotify: () => void) => Promise<() => Promise<void>>): Promise<void> {
    this.running = true;
    this.stopping = null;
    if (listen) {
      this.unlisten = await listen(() => this.wake()).catch((err) => {
        log.warn(
          { job: "deliver-webhook" },
          `LISTEN failed, new jobs are seen by the 1 s poll: ${err instanceof Error ? err.message : String(err)}`,
        );
        return null;
      });
    }
    this.heartbeat = setInterval(() => void this.touch(), (DELIVERY_HEARTBEAT_SECONDS * 1000) / 2);
    this.loopDone = this.loop();
  }

  /** Jobs in hand, for tests and the worker's status. */
  get size(): number {
    return this.inHand.size;
  }

  /** Fetch now (a new job, or room freed). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops fetching. Graceful: waits up to `timeoutMs` for the jobs in hand to be settled. Otherwise
   * (or past the timeout) the jobs still in hand are failed back to the queue for another worker,
   * as pg-boss's own stop does; their deliveries may then be sent twice (at least once).
   */
  stop(options: { graceful?: boolean; timeoutMs?: number } = {}): Promise<void> {
    // A second stop() waits for the first (the worker's pg-boss must not close under it).
    this.stopping ??= this.running || this.starting ? this.doStop(options) : Promise.resolve();
    return this.stopping;
  }

  private async doStop({
    graceful = true,
    timeoutMs = 20_000,
  }: {
    graceful?: boolean;
    timeoutMs?: number;
  }): Promise<void> {
    await this.starting;
    this.running = false;
    this.wake();
    await this.loopDone;
    await this.unlisten?.().catch(() => {});
    if (graceful && this.batches.size) {
      // Heartbeats go on meanwhile: jobs still being worked on must not be handed to another worker.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.batches]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    if (this.heartbeat) clearInterval(this.heartbeat);
    const left = [...this.inHand.values()];
    this.inHand.clear();
    this.takenAt.clear();
    this.byCompany.clear();
    if (left.length)
      await this.boss
        .fail(deliverWebhook.name, pairs(left), { error: "The worker stopped before this delivery was settled" })
        .catch(() => {});
  }

  private get share(): number {
    return Math.max(1, this.options.companyShare ?? Math.ceil(this.options.capacity / 4));
  }

  /** Room kept for a company that has work next (none in a worker too small to spare it). */
  private get reserve(): number {
    return this.options.capacity >= 8 ? this.share : 0;
  }

  /**
   * Fair shares between companies. First the jobs of companies within their share: the webhooks of
   * companies at or over it are left out of the fetch (pg-boss's ignoreGroups), so another company's
   * job is fetched ahead of a flood already holding its share (hanging receivers, a backlog). Then,
   * when that leaves room, anyone's jobs, but while any request in hand is slow only up to
   * `capacity - reserve`: a share stays free for a company that has work next. A fetched job past
   * both (its company over its share, no room past the reserve: a webhook of it not seen yet) is
   * handed back for a second, not held.
   */
  private async fetchFairly(asked: number): Promise<FetchedJob[]> {
    const { groupConcurrency } = this.options;
    const ignoreGroups: string[] = [];
    for (const [company, n] of this.byCompany) {
      if (n >= this.share) for (const webhook of this.companyWebhooks.get(company) ?? []) ignoreGroups.push(webhook);
    }
    // The look for other companies' jobs leaves out flood-priority jobs too (a company posting past
    // its fair rate, app/api/v1/events/route.ts): it reads the index from the top and stops there, instead
    // of scanning the whole of a flood's backlog when nobody else has work.
    const fetch = async (batchSize: number, ignore?: string[]) =>
      this.wellFormed(
        (await this.boss.fetch<DeliverJob>(deliverWebhook.name, {
          batchSize,
          groupConcurrency,
          ...(ignore?.length ? { ignoreGroups: ignore, minPriority: 0 } : {}),
        })) as FetchedJob[],
      );
    // The last share is kept free while other companies are around (more than one seen with work in
    // the last minute) or some request in hand is slow. A lone company whose receivers answer fast
    // may use the whole room: its places come back within moments.
    const others = this.othersAround();
    const reserve = others || this.anySlow() ? this.reserve : 0;
    const counts = new Map(this.byCompany);
    const kept: FetchedJob[] = [];
    const back: FetchedJob[] = [];
    // Each company up to its share; past it, only while `reserve` places stay free for the others.
    const sort = (jobs: FetchedJob[]) => {
      for (const job of jobs) {
        this.learn(job);
        const company = companyOf(job);
        const n = counts.get(company) ?? 0;
        if (n < this.share || this.room - kept.length - reserve > 0 || job.data.batchKey) {
          counts.set(company, n + 1);
          kept.push(job);
        } else back.push(job);
      }
    };
    // A fetch that leaves groups out scans past their queued jobs. With other companies around it
    // runs on every fetch; a lone company's flood gets it only every LOOK_AGAIN_MS after one that
    // found nobody else (a newcomer's first job waits at most that long for its turn).
    if (ignoreGroups.length && (others || Date.now() - this.lastEmptyLook >= LOOK_AGAIN_MS)) {
      const found = await fetch(asked, ignoreGroups);
      if (found.length === 0) this.lastEmptyLook = Date.now();
      sort(found);
      // Every company within its share has had its turn: the room left, short of the reserve, is anyone's.
      const spare = Math.min(asked - kept.length - back.length, this.room - kept.length - reserve);
      if (spare > 0) sort(await fetch(Math.min(spare, this.options.batchSize)));
    } else {
      // With a company over its share and a reserve to keep, ask only for what may be kept (no churn).
      const n = ignoreGroups.length && reserve ? Math.min(asked, this.room - reserve) : asked;
      if (n > 0) sort(await fetch(n));
    }
    if (back.length) await this.handBack(back);
    return kept;
  }

  /** Whether more than one company had jobs in this worker within the last OTHERS_WINDOW_MS. */
  private othersAround(): boolean {
    const since = Date.now() - OTHERS_WINDOW_MS;
    let n = 0;
    for (const [company, at] of this.seenAt) {
      if (at >= since) n++;
      else this.seenAt.delete(company);
    }
    return n > 1;
  }

  /** Whether a job in hand has waited for its answer longer than SLOW_MS (a slow or hanging receiver, a long render).
   * */
  private anySlow(): boolean {
    const since = Date.now() - SLOW_MS;
    for (const at of this.takenAt.values()) if (at < since) return true;
    return false;
  }

  private learn(job: FetchedJob): void {
    if (!job.groupId) return;
    const company = companyOf(job);
    let set = this.companyWebhooks.get(company);
    if (!set) {
      if (this.companyWebhooks.size > 10_000) this.companyWebhooks.clear();
      this.companyWebhooks.set(company, (set = new Set()));
    }
    if (set.size < 10_000) set.add(job.groupId);
  }

  /**
   * The jobs whose payload reads as a deliver-webhook job (jobs/definitions/deliver-webhook.ts),
   * parsed; any other is failed with the reason (pg-boss retries it, then keeps it failed) and not sent.
   */
  private async wellFormed(jobs: FetchedJob[]): Promise<FetchedJob[]> {
    const good: FetchedJob[] = [];
    for (const job of jobs) {
      try {
        job.data = parsePayload(deliverWebhook, job.data);
        good.push(job);
      } catch (err) {
        if (!(err instanceof JobPayloadError)) throw err;
        log.error({ job: "deliver-webhook" }, `job ${job.id} not sent: ${err.message}`);
        await this.boss.fail(deliverWebhook.name, pairs([job]), { error: err.message }).catch(() => {});
      }
    }
    return good;
  }

  /** Back to the queue unsent, due in a second, as the same job (same data, group and expiry), without counting a
   * failure. */
  private async handBack(jobs: FetchedJob[]): Promise<void> {
    try {
      await enqueueMany(
        this.boss,
        this.db,
        deliverWebhook,
        jobs.map((j) => ({
          data: j.data,
          startAfter: 1,
          ...(j.groupId ? { group: { id: j.groupId, ...(j.groupTier ? { tier: j.groupTier } : {}) } } : {}),
          ...(j.expireInSeconds ? { expireInSeconds: j.expireInSeconds } : {}),
          ...(j.heartbeatSeconds ? { heartbeatSeconds: j.heartbeatSeconds } : {}),
        })),
      );
      await this.boss.complete(deliverWebhook.name, pairs(jobs));
    } catch (err) {
      // Could not hand them back: keep them after all (sent, as before fair shares).
      log.error(
        { job: "deliver-webhook" },
        `could not hand back ${jobs.length} job(s): ${err instanceof Error ? err.message : String(err)}`,
      );
      this.run(jobs);
    }
  }

  /** Under load, room comes back a wave at a time: a fetch waits until a useful batch fits. */
  private get threshold(): number {
    return Math.max(1, Math.min(this.options.batchSize, Math.ceil(this.options.capacity / 6)));
  }

  private get room(): number {
    return this.options.capacity - this.inHand.size;
  }

  private async loop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    while (this.running) {
      let full = false;
      if (this.room >= this.threshold) {
        const asked = Math.min(this.room, this.options.batchSize);
        this.woken = false;
        try {
          const jobs = await this.fetchFairly(asked);
          if (this.fetchErrors)
            log.info({ job: "deliver-webhook" }, `fetching again after ${this.fetchErrors} failed fetch(es)`);
          this.fetchErrors = 0;
          if (jobs.length && !this.running) {
            // Stopped while fetching: hand them back unsent rather than send them and fail them back.
            await this.boss
              .fail(deliverWebhook.name, pairs(jobs), { error: "The worker stopped before sending this delivery" })
              .catch(() => {});
            break;
          }
          if (jobs.length) this.run(jobs);
          full = jobs.length === asked;
        } catch (err) {
          // The database is away: say so once, then keep trying every poll.
          if (this.fetchErrors++ === 0)
            log.error(
              { job: "deliver-webhook" },
              `fetch failed, retrying every ${pollMs} ms: ${err instanceof Error ? err.message : String(err)}`,
            );
        }
      }
      if (!this.running) break;
      // A full fetch: more is waiting. Woken meanwhile: look again. Otherwise sleep until a NOTIFY,
      // a settle that freed room or a webhook's group place, or the poll.
      if (full || this.woken) {
        this.woken = false;
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        timer = setTimeout(resolve, pollMs);
      });
      clearTimeout(timer);
      this.wakeUp = null;
    }
  }

  /**
   * Whether a fetch could now find jobs the last one could not: room was short, or a settled job's
   * webhook had as many jobs in hand as its group allows (its other jobs were skipped). A webhook
   * held at its limit by other worker processes is seen by the next poll.
   */
  private freesSomething(ids: string[]): boolean {
    if (this.room < this.threshold) return true;
    const { tiers, default: fallback } = this.options.groupConcurrency;
    for (const id of ids) {
      const job = this.inHand.get(id);
      // Its company was at its share: its webhooks were left out of the fetch.
      if (job && (this.byCompany.get(companyOf(job)) ?? 0) >= this.share) return true;
      if (!job?.groupId) continue;
      const limit = (job.groupTier && tiers[job.groupTier]) || fallback;
      let n = 0;
      for (const other of this.inHand.values()) if (other.groupId === job.groupId) n++;
      if (n >= limit) return true;
    }
    return false;
  }

  private run(jobs: FetchedJob[]): void {
    const now = Date.now();
    for (const job of jobs) {
      this.inHand.set(job.id, job);
      this.takenAt.set(job.id, now);
      this.seenAt.set(companyOf(job), now);
      const company = companyOf(job);
      this.byCompany.set(company, (this.byCompany.get(company) ?? 0) + 1);
      this.learn(job);
    }
    const settled = (ids: string[]) => {
      const wake = this.freesSomething(ids);
      for (const id of ids) {
        const job = this.inHand.get(id);
        if (!job) continue;
        this.inHand.delete(id);
        this.takenAt.delete(id);
        const company = companyOf(job);
        const n = (this.byCompany.get(company) ?? 1) - 1;
        if (n > 0) this.byCompany.set(company, n);
        else this.byCompany.delete(company);
      }
      if (wake) this.wake();
    };
    const batch = (async () => {
      const results = await deliverWebhookJobs(this.db, this.boss, jobs, {
        slots: this.options.slots,
        // Every wave is completed as soon as it is written, and its room goes to the next fetch.
        settleEarly: settled,
      });
      this.finishedJobs += results.length;
      const byId = new Map(jobs.map((j) => [j.id, j]));
      const completed = results
        .filter((r) => r.status === "completed" && this.inHand.has(r.id))
        .map((r) => byId.get(r.id)!);
      const failed = results.filter((r) => r.status === "failed" && this.inHand.has(r.id));
      try {
        if (completed.length) await this.boss.complete(deliverWebhook.name, pairs(completed));
        for (const f of failed) await this.boss.fail(deliverWebhook.name, pairs([byId.get(f.id)!]), f.output ?? null);
      } catch (err) {
        // Left active without heartbeats: pg-boss fails them back to the queue after the heartbeat.
        log.error(
          { job: "deliver-webhook" },
          `could not settle ${completed.length + failed.length} job(s): ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      settled(jobs.map((j) => j.id));
    })().catch((err) => {
      log.error({ job: "deliver-webhook" }, `batch failed: ${err instanceof Error ? err.message : String(err)}`);
      settled(jobs.map((j) => j.id));
    });
    this.batches.add(batch);
    void batch.finally(() => this.batches.delete(batch));
  }

  private async touch(): Promise<void> {
    const jobs = [...this.inHand.values()];
    if (!jobs.length) return;
    try {
      await this.boss.touch(deliverWebhook.name, pairs(jobs));
    } catch {
      // The database is away; the next beat tries again (and the jobs go back after the heartbeat).
    }
  }
}

function pairs(jobs: FetchedJob[]) {
  return jobs.map((j) => ({ id: j.id, retryCount: j.retryCount }));
}

/** Wakes the fetch loop when a delivery job is created (pg-boss's own listener only wakes `work()` pollers). */
export function listenForDeliveryJobs(db: Database) {
  return listenForJobs(db, deliverWebhook.name);
}
