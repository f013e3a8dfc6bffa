import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { executePrepared, jsonParam, type Database, type DbOrTx } from "@/db";
import { DAILY_LIMIT_REASON } from "@/lib/history";
import {
  companies,
  dailyUsage,
  deliveries,
  deliveryAttempts,
  events,
  webhooks,
  type Delivery,
  type EventRow,
  type Webhook,
} from "@/db/schema";

/**
 * Every statement that changes a delivery's state, for the delivery pipeline (jobs/delivery-pipeline.ts):
 * load, skip, dispatch within the daily limit, defer, and write outcomes. Each is one round trip,
 * most as prepared statements with one array or JSON parameter so their text is the same for any
 * batch size (see executePrepared).
 */

export type DeliveryRow = { delivery: Delivery; event: EventRow; webhook: Webhook };

/** Deliveries by id with their events and webhooks (one array parameter, prepared once per connection). */
const loadStatements = new WeakMap<Database, ReturnType<typeof prepareLoad>>();
function prepareLoad(db: Database) {
  return db
    .select({ delivery: deliveries, event: events, webhook: webhooks })
    .from(deliveries)
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(sql`${deliveries.id} = any(${sql.placeholder("ids")}::uuid[])`)
    .prepare("deliver_webhook_load_batch");
}
export async function loadDeliveries(db: Database, ids: string[]): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  let prepared = loadStatements.get(db);
  if (!prepared) loadStatements.set(db, (prepared = prepareLoad(db)));
  return prepared.execute({ ids: `{${ids.join(",")}}` });
}

/** A batch window's deliveries still to send (queued or dispatched), oldest event first, with the webhook. */
export async function loadBatchWindow(
  db: DbOrTx,
  webhookId: string,
  batchKey: string,
): Promise<{ webhook: Webhook | undefined; rows: { delivery: Delivery; event: EventRow }[] }> {
  const [webhook] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
  if (!webhook) return { webhook, rows: [] };
  const rows = await db
    .select({ delivery: deliveries, event: events })
    .from(deliveries)
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(
      and(
        eq(deliveries.webhookId, webhookId),
        eq(deliveries.batchKey, batchKey),
        inArray(deliveries.status, ["queued", "dispatched"]),
      ),
    )
    .orderBy(asc(events.occurredAt), asc(deliveries.createdAt));
  return { webhook, rows };
}

/** Deliveries of a switched-off webhook: recorded as skipped, with the reason. */
export async function skipDeliveries(db: DbOrTx, ids: string[], reason: string, now: Date): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: "skipped", deferredReason: reason, completedAt: now, inHandBy: sql`'{}'::text[]` })
    .where(inArray(deliveries.id, ids));
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The next UTC midnight after `now`. */
export function nextUtcDay(now: Date): Date {
  return new Date(`${utcDay(new Date(now.getTime() + 86_400_000))}T00:00:00Z`);
}

/**
 * One company's calls against its daily limit, in one statement: counts `calls.length` calls and
 * marks the deliveries of the calls within the limit dispatched (attempts + 1, this worker process in
 * `in_hand_by`). `calls` is a list of delivery-id lists (a batch window's call sends several
 * deliveries); returns the ids dispatched. The calls past the limit are the caller's to defer.
 */
export async function dispatchWithinDailyLimit(
  db: DbOrTx,
  companyId: string,
  calls: string[][],
  now: Date,
  workerInstance: string,
): Promise<Set<string>> {
  const ids: string[] = [];
  const callOf: number[] = [];
  calls.forEach((list, i) => list.forEach((id) => (ids.push(id), callOf.push(i + 1))));
  const result = await executePrepared<{ id: string }>(
    db,
    sql`
    with usage as (
      insert into ${dailyUsage} (company_id, day, calls) values (${companyId}::uuid, ${utcDay(now)}, ${calls.length}::int)
      on conflict (company_id, day) do update set calls = ${dailyUsage}.calls + excluded.calls
      returning calls
    ), allowed as (
      select greatest(0, least(${calls.length}::int, c.daily_call_limit - (u.calls - ${calls.length}::int))) as n
      from usage u, ${companies} c where c.id = ${companyId}::uuid
    ), picked as (
      select id from unnest(${`{${ids.join(",")}}`}::uuid[], ${`{${callOf.join(",")}}`}::int[]) as p(id, call)
      where p.call <= (select n from allowed)
    )
    update ${deliveries} set status = 'dispatched', attempts = attempts + 1, deferred_reason = null,
      in_hand_by = case when ${workerInstance}::text = any(in_hand_by) then in_hand_by else array_append(in_hand_by, ${workerInstance}::text) end
    where id = any(array(select id from picked))
    returning id`,
  );
  return new Set(result.map((r) => r.id));
}

/** Back to queued until `until` (the daily limit is reached), with the reason. */
export async function deferDeliveries(db: DbOrTx, ids: string[], until: Date): Promise<void> {
  await db
    .update(deliveries)
    .set({
      status: "queued",
      nextAttemptAt: until,
      deferredReason: DAILY_LIMIT_REASON,
      inHandBy: sql`'{}'::text[]`,
    })
    .where(inArray(deliveries.id, ids));
}

/** One delivery's attempt and outcome, as writeOutcomes takes them. */
export interface OutcomeRow {
  deliveryId: string;
  companyId: string;
  attemptNumber: number;
  trigger: "auto" | "manual";
  triggeredBy: string | null;
  requestMethod: string;
  requestUrl: string;
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  durationMs: number;
  errorKind: string | null;
  errorMessage: string | null;
  status: "success" | "queued" | "failed";
  last_error: string | null;
  next_at: string | null;
  completed_at: string | null;
}

/** A webhook's last outcome for the listing; `gone` (a 410) switches it off with `goneReason`. */
export interface WebhookOutcomeRow {
  id: string;
  ok: boolean;
  code: number | null;
  gone: boolean;
}

/**
 * Attempts, outcomes and the webhooks' last status in one statement (its parts commit together):
 * every attempt in one insert, every delivery in one update (its `in_hand_by` cleared), each webhook
 * once. Prepared: the same text for every wave.
 */
export async function writeOutcomes(
  db: DbOrTx,
  rows: OutcomeRow[],
  webhookRows: WebhookOutcomeRow[],
  now: Date,
  goneReason: string,
): Promise<void> {
  await executePrepared(
    db,
    sql`
    with v as (
      select * from jsonb_to_recordset(${jsonParam(rows)}::jsonb) as v(
        "deliveryId" uuid, "companyId" uuid, "attemptNumber" int, trigger text, "triggeredBy" uuid, "requestMethod" text, "requestUrl" text,
        "requestHeaders" jsonb, "requestBody" text, "responseStatus" int, "responseHeaders" jsonb, "responseBody" text,
        "durationMs" int, "errorKind" text, "errorMessage" text, status text, last_error text, next_at timestamptz, completed_at timestamptz)
    ), attempts as (
      insert into ${deliveryAttempts} (delivery_id, company_id, attempt_number, trigger, triggered_by, request_method, request_url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, error_kind, error_message)
      select "deliveryId", "companyId", "attemptNumber", trigger, "triggeredBy", "requestMethod", "requestUrl", "requestHeaders", "requestBody", "responseStatus", "responseHeaders", "responseBody", "durationMs", "errorKind", "errorMessage" from v
    ), hooks as (
      update ${webhooks} as w
      set last_sent_at = ${now.toISOString()}::timestamptz,
          last_status = case when h.ok then 'success' else 'failed' end,
          last_status_code = h.code,
          failing_since = case when h.ok then null else coalesce(w.failing_since, ${now.toISOString()}::timestamptz) end,
          active = w.active and not h.gone,
          disabled_at = case when h.gone then ${now.toISOString()}::timestamptz else w.disabled_at end,
          disabled_reason = case when h.gone then ${goneReason} else w.disabled_reason end
      from jsonb_to_recordset(${jsonParam(webhookRows)}::jsonb) as h(id uuid, ok boolean, code int, gone boolean)
      where w.id = any(array(select id from jsonb_to_recordset(${jsonParam(webhookRows)}::jsonb) as i(id uuid))) and w.id = h.id
    )
    update ${deliveries} as d
    set status = v.status, last_status_code = v."responseStatus", last_error = v.last_error, last_duration_ms = v."durationMs", next_attempt_at = v.next_at, completed_at = v.completed_at,
        in_hand_by = '{}'::text[]
    from v
    -- The ids as an array too: a prepared statement's generic plan guesses 100 rows for the JSON and
    -- would rather scan the whole table than look each one up (7.8 ms a wave at 40,000 deliveries).
    where d.id = any(array(select "deliveryId" from v)) and d.id = v."deliveryId"`,
  );
}

/**
 * Locks webhook rows in id order (`for no key update`, the lock their update takes anyway), first
 * in a transaction that writes them: concurrent batches never wait for each other in a circle, and
 * new deliveries' foreign-key checks (for key share), i.e. the events API, do not wait for it.
 */
export async function lockWebhooks(tx: DbOrTx, ids: string[]): Promise<void> {
  if (ids.length)
    await executePrepared(
      tx,
      sql`select 1 from ${webhooks} where id = any(${`{${ids.join(",")}}`}::uuid[]) order by id for no key update`,
    );
}
