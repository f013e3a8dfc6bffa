import { randomBytes } from "node:crypto";
import { and, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { deliveries, deliveryAttempts, events } from "./schema";

/**
 * The partitioned history (migration 0014_partitioned_history): events, deliveries and delivery_attempts are
 * range-partitioned by UTC day — `events_p20261128`, `deliveries_p20261128`, `delivery_attempts_p20261128` — on
 * created_at (attempts: their delivery's created_at), each with a DEFAULT partition that catches a row of a day
 * without its partition (jobs/partitions.ts moves it out).
 *
 * Ids of events and deliveries are UUIDv7 whose millisecond prefix is the row's created_at (a CHECK enforces it), so
 * an id alone names the one partition holding the row: `byId` adds that created_at range to a lookup and PostgreSQL
 * prunes every other partition. Rows from before partitioning keep their v4 ids: no bound, every partition is
 * looked in. Anything that writes a created_at of its own (tests, seeds, the bench) takes its id from `uuidV7(at)`.
 */

/** The history tables with their partition key, as the maintenance and retention jobs walk them. */
export const PARTITIONED_TABLES = [
  { table: "events", key: "created_at" },
  { table: "deliveries", key: "created_at" },
  { table: "delivery_attempts", key: "delivery_created_at" },
] as const;

/** Days of partitions kept created ahead of today (the maintenance job, at worker start and daily). */
export const PARTITION_DAYS_AHEAD = 14;

/** A UUIDv7 for a row created at `at` (its created_at must be `at`, to the millisecond). */
export function uuidV7(at: Date = new Date()): string {
  const ms = at.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`uuidV7: not a time after 1970: ${String(at)}`);
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The created_at range (from inclusive, to exclusive: one millisecond) a v7 id implies; null for any other id. */
export function idBounds(id: string): { from: Date; to: Date } | null {
  if (id.length !== 36 || id[14] !== "7") return null;
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  if (!Number.isFinite(ms)) return null;
  return { from: new Date(ms), to: new Date(ms + 1) };
}

/** The UTC day (YYYY-MM-DD) of a time. */
export function utcDayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

interface HistoryTable {
  id: PgColumn;
  createdAt: PgColumn;
}

/** The row's created_at range from its id: every partition but one pruned (no bound for a legacy id). */
function createdAtOf(column: PgColumn, bounds: { from: Date; to: Date } | null): SQL | undefined {
  if (!bounds) return undefined;
  return and(gte(column, bounds.from), lt(column, bounds.to));
}

/** `id = $1` plus the created_at range the id implies, so the lookup touches one partition. */
export function byId(table: HistoryTable, id: string): SQL {
  return and(eq(table.id, id), createdAtOf(table.createdAt, idBounds(id)))!;
}

/** `id = any($1)` plus the created_at range spanning the ids (no bound when one of them is a legacy id). */
export function byIds(table: HistoryTable, ids: string[]): SQL {
  const any = sql`${table.id} = any(${`{${ids.join(",")}}`}::uuid[])`;
  const bounds = ids.map(idBounds);
  if (bounds.length === 0 || bounds.some((b) => b === null)) return any;
  const from = new Date(Math.min(...bounds.map((b) => b!.from.getTime())));
  const to = new Date(Math.max(...bounds.map((b) => b!.to.getTime())));
  return and(any, gte(table.createdAt, from), lt(table.createdAt, to))!;
}

/** A delivery's attempts: `delivery_id = $1` pruned to the delivery's day by delivery_created_at. */
export function attemptsOf(
  attempts: { deliveryId: PgColumn; deliveryCreatedAt: PgColumn },
  deliveryId: string,
  deliveryCreatedAt?: Date,
): SQL {
  const bounds = deliveryCreatedAt
    ? { from: deliveryCreatedAt, to: new Date(deliveryCreatedAt.getTime() + 1) }
    : idBounds(deliveryId);
  return and(eq(attempts.deliveryId, deliveryId), createdAtOf(attempts.deliveryCreatedAt, bounds))!;
}

/**
 * Joins a delivery to its event within the created_at range the event's id implies, so each probe touches one events
 * partition (run-time pruning). A left join of it tolerates a delivery whose event's day was dropped already.
 */
export function eventOfDelivery(): SQL {
  return and(
    eq(events.id, deliveries.eventId),
    gte(events.createdAt, sql`hookrelay_id_lo(${deliveries.eventId})`),
    lt(events.createdAt, sql`hookrelay_id_hi(${deliveries.eventId})`),
  )!;
}

/** Joins an attempt to its delivery: the same id and the same created_at (the attempts' partition key). */
export function deliveryOfAttempt(): SQL {
  return and(
    eq(deliveries.id, deliveryAttempts.deliveryId),
    eq(deliveries.createdAt, deliveryAttempts.deliveryCreatedAt),
  )!;
}

/**
 * The created_at range (from inclusive, to exclusive, as ISO strings for a statement's parameters) spanning these ids;
 * unbounded when one of them is a legacy id.
 */
export function idsCreatedRange(ids: string[]): { from: string; to: string } {
  const bounds = ids.map(idBounds);
  if (bounds.length === 0 || bounds.some((b) => b === null)) return { from: "-infinity", to: "infinity" };
  return {
    from: new Date(Math.min(...bounds.map((b) => b!.from.getTime()))).toISOString(),
    to: new Date(Math.max(...bounds.map((b) => b!.to.getTime()))).toISOString(),
  };
}
