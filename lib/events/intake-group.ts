import { randomUUID } from "node:crypto";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { takeEventRates } from "@/db/queries/events";
import { FAIR_EVENTS_PER_SECOND, FLOOD_PRIORITY } from "@/jobs/definitions/deliver-webhook";
import { env } from "@/lib/env";
import { currentTraceparent } from "@/lib/tracing";
import { createGroupCommitter, type GroupCommitter, type GroupOutcome } from "@/lib/group-commit";
import type { EventInput } from "@/lib/validations/event";
import { ingestEvents, type IngestResult } from "./ingest";

/**
 * The events API's group commit for requests of one event. Concurrent requests (of any companies) are
 * written together: one statement counts every company's rate window, then one transaction stores the
 * events, their deliveries and jobs (ingestEvents per company, each in a savepoint when the group holds
 * several). Each request keeps its own answer: its event's id and deliveries, a duplicate as before,
 * or the 429 of its company's rate (counted in arrival order, as if the requests had come one by one).
 * A database error in the group costs the group nothing: its members are retried one by one, each in
 * its own transaction, so only the culprit fails.
 */
export const INTAKE_GROUP = { windowMs: 2, maxSize: 50, maxInFlight: 2 };

export interface SingleEvent {
  companyId: string;
  apiKeyId: string;
  event: EventInput;
  /** The request's trace (tracing on), for its event's jobs. */
  traceparent?: string;
}

/** Each member's trace by its event's id; undefined when tracing is off (ingestEvents' default then). */
function traceparentsOf(members: SingleEvent[]): ((externalId: string) => string | undefined) | undefined {
  const byId = new Map<string, string>();
  for (const m of members) if (m.traceparent && m.event.id) byId.set(m.event.id, m.traceparent);
  return byId.size ? (externalId) => byId.get(externalId) : undefined;
}

export type SingleEventAnswer = { accepted: IngestResult } | { rateLimited: true };

type Boss = () => Promise<PgBoss>;

const committers = new WeakMap<Database, GroupCommitter<SingleEvent, SingleEventAnswer>>();

/** The process's committer for this database (one per pool). */
export function intakeGroup(db: Database, boss: Boss): GroupCommitter<SingleEvent, SingleEventAnswer> {
  let committer = committers.get(db);
  if (!committer) {
    committer = createGroupCommitter((items) => commitGroup(db, boss, items), INTAKE_GROUP);
    committers.set(db, committer);
  }
  return committer;
}

/** Takes one validated event into the next group; resolves once it is committed (or refused). */
export function submitSingleEvent(db: Database, boss: Boss, item: SingleEvent): Promise<SingleEventAnswer> {
  // The id is fixed before the group: a member retried alone is the same event.
  const event = item.event.id ? item.event : { ...item.event, id: randomUUID() };
  // Tracing on: the request's own trace goes with its event into the group (its jobs carry it).
  return intakeGroup(db, boss).submit({ ...item, event, traceparent: currentTraceparent() });
}

/** The members sharing a company, key and priority: one ingestEvents call. */
interface Unit {
  companyId: string;
  apiKeyId: string;
  priority: number;
  members: number[];
}

async function commitGroup(db: Database, boss: Boss, items: SingleEvent[]): Promise<GroupOutcome<SingleEventAnswer>[]> {
  const answers: GroupOutcome<SingleEventAnswer>[] = new Array(items.length);
  const limit = env.EVENTS_RATE_LIMIT;
  const counts = await takeEventRates(
    db,
    items.map((i) => ({ companyId: i.companyId, n: 1 })),
  );
  const perCompany = new Map<string, number>();
  for (const item of items) perCompany.set(item.companyId, (perCompany.get(item.companyId) ?? 0) + 1);
  const seen = new Map<string, number>();
  const units = new Map<string, Unit>();
  items.forEach((item, i) => {
    const nth = (seen.get(item.companyId) ?? 0) + 1;
    seen.set(item.companyId, nth);
    // The window's count when this request's event was counted, as if each had come alone.
    const count = (counts.get(item.companyId) ?? 0) - perCompany.get(item.companyId)! + nth;
    if (count > limit) {
      answers[i] = { ok: true, value: { rateLimited: true } };
      return;
    }
    // Past its fair rate this second, a company's deliveries queue behind other companies'.
    const priority = count > FAIR_EVENTS_PER_SECOND ? FLOOD_PRIORITY : 0;
    const key = `${item.companyId}:${item.apiKeyId}:${priority}`;
    const unit = units.get(key) ?? { companyId: item.companyId, apiKeyId: item.apiKeyId, priority, members: [] };
    unit.members.push(i);
    units.set(key, unit);
  });
  // In company order, so two groups' transactions take their rows in the same order.
  const ordered = [...units.values()].sort((a, b) =>
    a.companyId < b.companyId ? -1 : a.companyId > b.companyId ? 1 : 0,
  );
  const ingest = (on: Parameters<typeof ingestEvents>[0], unit: Unit, members = unit.members) =>
    boss().then((b) =>
      ingestEvents(
        on,
        b,
        unit.companyId,
        unit.apiKeyId,
        members.map((i) => items[i].event),
        undefined,
        unit.priority,
        traceparentsOf(members.map((i) => items[i])),
      ),
    );
  const accept = (unit: Unit, results: IngestResult[]) =>
    unit.members.forEach((i, j) => (answers[i] = { ok: true, value: { accepted: results[j] } }));

  /** Units whose write failed; `own`: the error was the unit's alone (not the whole transaction's). */
  const failed: { unit: Unit; error: unknown; own: boolean }[] = [];
  if (ordered.length === 1) {
    try {
      accept(ordered[0], await ingest(db, ordered[0]));
    } catch (error) {
      failed.push({ unit: ordered[0], error, own: true });
    }
  } else if (ordered.length > 1) {
    try {
      const done = await db.transaction(async (tx) => {
        const written: [Unit, IngestResult[]][] = [];
        for (const unit of ordered) {
          // A savepoint each: a unit's error rolls back only its own statements.
          try {
            written.push([unit, await ingest(tx, unit)]);
          } catch (error) {
            failed.push({ unit, error, own: true });
          }
        }
        return written;
      });
      for (const [unit, results] of done) accept(unit, results);
    } catch (error) {
      // The transaction itself failed (its commit, the connection): nothing of it was stored.
      failed.length = 0;
      for (const unit of ordered) failed.push({ unit, error, own: false });
    }
  }

  // One by one, each in its own transaction: only the culprit fails.
  for (const { unit, error, own } of failed) {
    if (own && unit.members.length === 1) {
      answers[unit.members[0]] = { ok: false, error };
      continue;
    }
    for (const i of unit.members) {
      try {
        const [result] = await ingest(db, unit, [i]);
        answers[i] = { ok: true, value: { accepted: result } };
      } catch (err) {
        answers[i] = { ok: false, error: err };
      }
    }
  }
  return answers;
}
