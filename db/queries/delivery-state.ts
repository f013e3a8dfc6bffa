import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { executePrepared, jsonParam, pipelinedTransaction, type Database, type DbOrTx } from "@/db";
import { PLAN_OF_COMPANY, utcDay } from "@/db/queries/plans";
import { byIds, eventOfDelivery, idsCreatedRange } from "@/db/partitions";
import {
  companies,
  dailyUsage,
  dailyUserUsage,
  plans,
  users,
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
 * load, skip, dispatch within the plan's and the company's limits, defer, and write outcomes. Each is one round trip,
 * most as prepared statements with one array or JSON parameter so their text is the same for any
 * batch size (see executePrepared).
 */

export type DeliveryRow = { delivery: Delivery; event: EventRow; webhook: Webhook };

/** Deliveries by id with their events and webhooks (one array parameter, prepared once per connection). */
const loadStatements = new WeakMap<Database, ReturnType<typeof prepareLoad>>();
function prepareLoad(db: Database) {
  return (
    db
      .select({ delivery: deliveries, event: events, webhook: webhooks })
      .from(deliveries)
      .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
      .innerJoin(events, eventOfDelivery())
      // The created_at range the ids span (db/partitions.ts): only their days' partitions are read.
      .where(
        sql`${deliveries.id} = any(${sql.placeholder("ids")}::uuid[]) and ${deliveries.createdAt} >= ${sql.placeholder("from")}::timestamptz and ${deliveries.createdAt} < ${sql.placeholder("to")}::timestamptz`,
      )
      .prepare("deliver_webhook_load_batch")
  );
}
export async function loadDeliveries(db: Database, ids: string[]): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  let prepared = loadStatements.get(db);
  if (!prepared) loadStatements.set(db, (prepared = prepareLoad(db)));
  return prepared.execute({ ids: `{${ids.join(",")}}`, ...idsCreatedRange(ids) });
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
    .innerJoin(events, eventOfDelivery())
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
    .where(byIds(deliveries, ids));
}

/** The next UTC midnight after `now`. */
export function nextUtcDay(now: Date): Date {
  return new Date(`${utcDay(new Date(now.getTime() + 86_400_000))}T00:00:00Z`);
}

/** One call to a webhook (a batch window's call sends several deliveries) and the user it counts for. */
export interface Call {
  deliveryIds: string[];
  /**
   * Mark its deliveries dispatched now, with this worker process in `in_hand_by` (a job that failed before: a
   * worker may have died with it in hand). Other calls are marked only if their answer is slow (markDispatched).
   */
  markInHand: boolean;
  /** The webhook's owner (webhooks.created_by): the plan's calls per user count for them; null counts for nobody. */
  userId: string | null;
}

export interface DispatchResult {
  /** The deliveries of the calls within every limit, counted: to be sent. */
  dispatched: Set<string>;
  /** The calls past a limit, by index into `calls`, with the reason shown on their deliveries. */
  deferred: Map<number, string>;
  /** The company's plan does not include webhooks: nothing was counted or dispatched; the reason to skip with. */
  webhooksOff: string | null;
}

const countOf = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "call" : "calls"}`;

/**
 * One company's calls against its limits, in one short transaction: the company's usage row for today is
 * locked first (so every worker process dispatching for this company takes its turn and reads the counts the
 * previous one wrote), then the limits — the plan's calls per day and per user, and the company's own daily
 * limit — are read with today's per-user counts, the calls within them picked in order, counted (company and
 * user); the deliveries of the calls that ask for it (`markInHand`) are marked dispatched (attempts + 1, this worker
 * process in `in_hand_by`). Only calls actually sent are counted. The calls past a limit are the caller's to defer,
 * with the reason returned. Three round trips: BEGIN goes out with the lock and the read (pipelinedTransaction),
 * then the counts, then COMMIT.
 */
export async function dispatchWithinLimits(
  db: Database,
  companyId: string,
  calls: Call[],
  now: Date,
  workerInstance: string,
): Promise<DispatchResult> {
  const day = utcDay(now);
  return pipelinedTransaction(db, async (tx) => {
    const userIds = [...new Set(calls.map((c) => c.userId).filter((u): u is string => u !== null))];
    const [limits] = await executePrepared<{
      companyCalls: number;
      companyLimit: number;
      planName: string | null;
      webhooksEnabled: boolean | null;
      planPerDay: number | null;
      planPerUser: number | null;
      users: { id: string; email: string; calls: number }[] | null;
    }>(
      tx,
      // The usage row is locked first (insert … on conflict do update), and its count read under that lock.
      sql`with usage as (
        insert into ${dailyUsage} (company_id, day, calls) values (${companyId}::uuid, ${day}, 0)
        on conflict (company_id, day) do update set calls = ${dailyUsage}.calls returning calls
      )
      select (select calls from usage) as "companyCalls",
        c.daily_call_limit as "companyLimit", p.name as "planName", p.webhooks_enabled as "webhooksEnabled",
        p.calls_per_day as "planPerDay", p.calls_per_user_per_day as "planPerUser",
        (select json_agg(json_build_object('id', x.id, 'email', x.email, 'calls', coalesce(uu.calls, 0)))
          from ${users} x left join ${dailyUserUsage} uu on uu.user_id = x.id and uu.company_id = c.id and uu.day = ${day}
          where x.id = any(${`{${userIds.join(",")}}`}::uuid[])) as users
      from ${companies} c left join ${plans} p on ${PLAN_OF_COMPANY}
      where c.id = ${companyId}::uuid`,
    );
    const result: DispatchResult = { dispatched: new Set(), deferred: new Map(), webhooksOff: null };
    if (!limits) return result;
    const plan = limits.planName ?? "Unlimited";
    if (limits.webhooksEnabled === false) {
      result.webhooksOff = `Webhooks are not included in the company's plan (${plan}): the event was recorded, the request not sent`;
      return result;
    }
    const tomorrow = "deferred to the next day (00:00 UTC)";
    const planPerDay = limits.planPerDay;
    let companyLeft = lowestLimit(limits.companyLimit, planPerDay) - limits.companyCalls;
    const companyReason =
      planPerDay !== null && planPerDay <= limits.companyLimit
        ? `Plan ${plan} allows ${countOf(planPerDay)} a day and the company reached it: ${tomorrow}`
        : `Daily call limit reached (${countOf(limits.companyLimit)}, Settings → Company): ${tomorrow}`;
    const userLeft = new Map<string, number>();
    const emails = new Map<string, string>();
    for (const u of limits.users ?? []) {
      emails.set(u.id, u.email);
      if (limits.planPerUser !== null) userLeft.set(u.id, limits.planPerUser - u.calls);
    }
    const granted = new Map<string, number>();
    const ids: string[] = [];
    const marked: string[] = [];
    calls.forEach((call, i) => {
      const left = call.userId !== null ? userLeft.get(call.userId) : undefined;
      if (companyLeft <= 0) return void result.deferred.set(i, companyReason);
      if (left !== undefined && left <= 0)
        return void result.deferred.set(
          i,
          `Plan ${plan} allows ${countOf(limits.planPerUser!)} a day per user and the webhook's owner (${emails.get(call.userId!)}) reached it: ${tomorrow}`,
        );
      companyLeft--;
      if (left !== undefined) userLeft.set(call.userId!, left - 1);
      if (call.userId !== null && emails.has(call.userId))
        granted.set(call.userId, (granted.get(call.userId) ?? 0) + 1);
      ids.push(...call.deliveryIds);
      if (call.markInHand) marked.push(...call.deliveryIds);
    });
    if (ids.length === 0) return result;
    const total = calls.length - result.deferred.size;
    const grantedUsers = [...granted.keys()];
    await executePrepared(
      tx,
      sql`
      with counted as (
        update ${dailyUsage} set calls = calls + ${total}::int where company_id = ${companyId}::uuid and day = ${day}
      ), per_user as (
        insert into ${dailyUserUsage} (company_id, user_id, day, calls)
        select ${companyId}::uuid, g.user_id, ${day}, g.calls
        from unnest(${`{${grantedUsers.join(",")}}`}::uuid[], ${`{${grantedUsers.map((u) => granted.get(u)).join(",")}}`}::int[]) as g(user_id, calls)
        on conflict (company_id, day, user_id) do update set calls = ${dailyUserUsage}.calls + excluded.calls
      )
      ${markInHandSql(marked, workerInstance)}`,
    );
    for (const id of ids) result.dispatched.add(id);
    return result;
  });
}

/** Marks deliveries dispatched (being sent): attempts + 1, this worker process in `in_hand_by`. */
function markInHandSql(ids: string[], workerInstance: string) {
  // The created_at range the ids span keeps it to their days' partitions.
  const range = idsCreatedRange(ids);
  return sql`update ${deliveries} set status = 'dispatched', attempts = attempts + 1, deferred_reason = null,
        in_hand_by = case when ${workerInstance}::text = any(in_hand_by) then in_hand_by else array_append(in_hand_by, ${workerInstance}::text) end
      where id = any(${`{${ids.join(",")}}`}::uuid[])
        and created_at >= ${range.from}::timestamptz and created_at < ${range.to}::timestamptz`;
}

/**
 * Deliveries sent without being marked (see Call.markInHand) whose answer is slow in coming: marked dispatched
 * now, so the history shows them being sent and a resend waits for them.
 */
export async function markDispatched(db: DbOrTx, ids: string[], workerInstance: string): Promise<void> {
  if (ids.length) await executePrepared(db, markInHandSql(ids, workerInstance));
}

function lowestLimit(a: number, b: number | null): number {
  return b === null ? a : Math.min(a, b);
}

/** Back to queued until `until` (a daily limit is reached), with the reason. */
export async function deferDeliveries(db: DbOrTx, ids: string[], until: Date, reason: string): Promise<void> {
  await db
    .update(deliveries)
    .set({
      status: "queued",
      nextAttemptAt: until,
      deferredReason: reason,
      inHandBy: sql`'{}'::text[]`,
    })
    .where(byIds(deliveries, ids));
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
  const range = idsCreatedRange(rows.map((r) => r.deliveryId));
  await executePrepared(
    db,
    sql`
    with v as (
      select * from jsonb_to_recordset(${jsonParam(rows)}::jsonb) as v(
        "deliveryId" uuid, "companyId" uuid, "attemptNumber" int, trigger text, "triggeredBy" uuid, "requestMethod" text, "requestUrl" text,
        "requestHeaders" jsonb, "requestBody" text, "responseStatus" int, "responseHeaders" jsonb, "responseBody" text,
        "durationMs" int, "errorKind" text, "errorMessage" text, status text, last_error text, next_at timestamptz, completed_at timestamptz)
    ), updated as (
      update ${deliveries} as d
      set status = v.status, attempts = v."attemptNumber", last_status_code = v."responseStatus", last_error = v.last_error, last_duration_ms = v."durationMs", next_attempt_at = v.next_at, completed_at = v.completed_at,
          deferred_reason = null, in_hand_by = '{}'::text[]
      from v
      -- The ids as an array too: a prepared statement's generic plan guesses 100 rows for the JSON and
      -- would rather scan the whole table than look each one up (7.8 ms a wave at 40,000 deliveries). The
      -- created_at range the ids span keeps it to their days' partitions.
      where d.id = any(array(select "deliveryId" from v)) and d.id = v."deliveryId"
        and d.created_at >= ${range.from}::timestamptz and d.created_at < ${range.to}::timestamptz
      returning d.id, d.created_at, d.webhook_id
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
    -- Each attempt in its delivery's partition (delivery_created_at), with its webhook (deleting it deletes them).
    insert into ${deliveryAttempts} (delivery_id, delivery_created_at, company_id, webhook_id, attempt_number, trigger, triggered_by, request_method, request_url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, error_kind, error_message)
    select v."deliveryId", u.created_at, v."companyId", u.webhook_id, v."attemptNumber", v.trigger, v."triggeredBy", v."requestMethod", v."requestUrl", v."requestHeaders", v."requestBody", v."responseStatus", v."responseHeaders", v."responseBody", v."durationMs", v."errorKind", v."errorMessage"
    from v join updated u on u.id = v."deliveryId"`,
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
