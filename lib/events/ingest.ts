import { createHash, randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import { executePrepared, jsonParam, type DbOrTx } from "@/db";
import { deliveries, eventKeys, events, webhookRecordTriggers, webhooks } from "@/db/schema";
import { deliverJobOptions, deliverWebhook, enqueueMany, type DeliverJob } from "@/jobs/definitions";
import { currentTraceparent } from "@/lib/tracing";
import type { EventInput } from "@/lib/validations/event";
import type { Conditions, TriggerMode, WebhookConfig } from "@/lib/validations/webhook";
import { conditionsHold } from "./conditions";

/** A stable UUID for the first job of a batch window. */
export function batchJobId(webhookId: string, batchKey: string): string {
  const h = createHash("sha256").update(`${webhookId}:${batchKey}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface IngestResult {
  id: string;
  deliveries: number;
  duplicate: boolean;
}

/**
 * Stores events and fans them out, all in one transaction: each new event, one delivery per
 * matching active webhook (status queued), and each delivery's pg-boss job (starting after the
 * webhook's execution delay). An event whose id the company already sent is accepted once: the
 * second time nothing is written and the first time's delivery count is returned. Given a transaction
 * (the intake's group commit, lib/events/intake-group.ts), it runs in a savepoint of it.
 */
export async function ingestEvents(
  db: DbOrTx,
  boss: PgBoss,
  companyId: string,
  apiKeyId: string | null,
  input: EventInput[],
  /** A test event from the Events page: marked as such, with who sent it. */
  test?: { sentBy: string },
  /**
   * The delivery jobs' pg-boss priority: the events API gives a company posting past its fair rate
   * FLOOD_PRIORITY (jobs/definitions/deliver-webhook.ts), so its jobs queue behind those of companies posting less (see
   * jobs/delivery-dispatcher.ts).
   */
  priority = 0,
  /**
   * Grouped single events (lib/events/intake-group.ts) come from several requests: each event's jobs
   * carry its own request's trace, by its external id. Default: the active span's.
   */
  traceparentOf?: (externalId: string) => string | undefined,
): Promise<IngestResult[]> {
  return db.transaction(async (tx) => {
    const rows = input.map((e) => ({
      companyId,
      externalId: e.id ?? randomUUID(),
      type: e.type,
      recordId: e.data.id === undefined ? null : String(e.data.id),
      occurredAt: e.occurredAt ? new Date(e.occurredAt) : new Date(),
      data: e.data,
      previous: e.previous ?? null,
      owner: e.owner ?? null,
      apiKeyId,
      ...(test ? { isTest: true, sentBy: test.sentBy } : {}),
    }));
    // The statements below pass their rows as one JSON parameter: the same text for 1 or 100 events,
    // prepared once per connection and sent in one round trip (executePrepared).
    const inserted = await executePrepared<{
      id: string;
      externalId: string;
      type: string;
      data: Record<string, unknown>;
      previous: Record<string, unknown> | null;
    }>(
      tx,
      sql`
      -- Idempotency: the (company, id) key is claimed in event_keys (the partitioned events table cannot hold a unique
      -- index without created_at); only the events whose key this statement claimed are inserted.
      with e as materialized (
        select hookrelay_uuid_v7(now()) as id, e.*
        from rows from (jsonb_to_recordset(${jsonParam(rows.map((r) => ({ external_id: r.externalId, type: r.type, record_id: r.recordId, occurred_at: r.occurredAt.toISOString(), data: r.data, previous: r.previous, owner: r.owner })))}::jsonb)
          as (external_id text, type text, record_id text, occurred_at timestamptz, data jsonb, previous jsonb, owner jsonb))
          with ordinality as e(external_id, type, record_id, occurred_at, data, previous, owner, ord)
      ), k as (
        insert into ${eventKeys} (company_id, external_id, event_id)
        select ${companyId}::uuid, e.external_id, e.id from e order by e.ord
        on conflict (company_id, external_id) do nothing
        returning event_id
      )
      insert into ${events} (id, company_id, external_id, type, record_id, occurred_at, data, previous, owner, api_key_id, is_test, sent_by)
      select e.id, ${companyId}::uuid, e.external_id, e.type, e.record_id, e.occurred_at, e.data, e.previous, e.owner, ${apiKeyId}::uuid, ${Boolean(test)}::boolean, ${test?.sentBy ?? null}::uuid
      from e join k on k.event_id = e.id order by e.ord
      returning id, external_id as "externalId", type, data, previous`,
    );
    const insertedIds = new Set(inserted.map((e) => e.externalId));

    const types = [...new Set(inserted.map((e) => e.type))];
    const candidates = types.length
      ? await executePrepared<{ id: string; eventTypes: string[]; config: unknown }>(
          tx,
          sql`select id, event_types as "eventTypes", config from ${webhooks}
              where company_id = ${companyId}::uuid and active and event_types && array(select jsonb_array_elements_text(${jsonParam(types)}::jsonb))`,
        )
      : [];

    // Each (event, webhook) pair that may fire. "every": when the conditions hold. "first_time": only the
    // record's first holding event. "until_first": each event of the record up to and including its first
    // holding one. Without a record id there is no record to remember: each event is its own record.
    const matches: Match[] = [];
    for (const event of inserted) {
      for (const hook of candidates) {
        if (!hook.eventTypes.includes(event.type)) continue;
        const config = hook.config as Partial<WebhookConfig>;
        const holds = conditionsHold(config.conditions as Conditions | undefined, event.data, event.previous);
        const mode = config.triggerMode ?? "every";
        const recordId = event.data.id === undefined || event.data.id === null ? null : String(event.data.id);
        const key = mode === "every" || recordId === null ? null : { webhookId: hook.id, recordId };
        if (holds || mode === "until_first") matches.push({ event, hook, config, holds, mode, key });
      }
    }
    const dropped = await applyFirstTimeModes(tx, matches);
    const planned: {
      eventId: string;
      webhookId: string;
      delaySeconds: number;
      config: Partial<WebhookConfig>;
      batchKey: string | null;
    }[] = [];
    const nowMs = Date.now();
    const countByExternal = new Map<string, number>();
    for (const event of inserted) countByExternal.set(event.externalId, 0);
    matches.forEach(({ event, hook, config }, i) => {
      if (dropped.has(i)) return;
      // A batch window groups the events of each window of N seconds; its job starts when the window closes.
      const window = config.batchWindowSeconds ?? 0;
      const batchKey = window > 0 ? String(Math.floor(nowMs / (window * 1000))) : null;
      const delaySeconds = (config.delaySeconds ?? 0) + (batchKey ? (Number(batchKey) + 1) * window - nowMs / 1000 : 0);
      planned.push({ eventId: event.id, webhookId: hook.id, delaySeconds, config, batchKey });
      countByExternal.set(event.externalId, (countByExternal.get(event.externalId) ?? 0) + 1);
    });

    if (planned.length) {
      const created = await executePrepared<{ id: string; webhookId: string; eventId: string }>(
        tx,
        sql`
        insert into ${deliveries} (company_id, webhook_id, event_id, batch_key, status, next_attempt_at)
        select ${companyId}::uuid, d.webhook_id, d.event_id, d.batch_key, 'queued', d.next_attempt_at
        from jsonb_to_recordset(${jsonParam(planned.map((p) => ({ webhook_id: p.webhookId, event_id: p.eventId, batch_key: p.batchKey, next_attempt_at: new Date(nowMs + p.delaySeconds * 1000).toISOString() })))}::jsonb)
          as d(webhook_id uuid, event_id uuid, batch_key text, next_attempt_at timestamptz)
        returning id, webhook_id as "webhookId", event_id as "eventId"`,
      );
      const createdId = new Map(created.map((d) => [`${d.eventId}:${d.webhookId}`, d.id]));
      // One job per delivery; one per batch (per webhook and window) for batched webhooks, with an id
      // derived from the batch, so a concurrent request's insert of the same batch job is a no-op.
      const seenBatches = new Set<string>();
      // Tracing on: each job carries the request's trace (the worker's span is its child).
      const traceparent = currentTraceparent();
      const externalOf = traceparentOf ? new Map(inserted.map((e) => [e.id, e.externalId])) : null;
      const jobs = planned.flatMap((p) => {
        const d = { id: createdId.get(`${p.eventId}:${p.webhookId}`)! };
        if (p.batchKey) {
          const key = `${p.webhookId}:${p.batchKey}`;
          if (seenBatches.has(key)) return [];
          seenBatches.add(key);
        }
        const data: DeliverJob = p.batchKey
          ? { webhookId: p.webhookId, batchKey: p.batchKey, companyId }
          : { deliveryId: d.id, companyId };
        const parent = externalOf ? traceparentOf!(externalOf.get(p.eventId)!) : traceparent;
        if (parent) data.traceparent = parent;
        return [
          {
            data,
            ...(p.batchKey ? { id: batchJobId(p.webhookId, p.batchKey) } : {}),
            ...deliverJobOptions(p.webhookId, p.config),
            ...(p.delaySeconds > 0 ? { startAfter: Math.ceil(p.delaySeconds) } : {}),
            ...(priority ? { priority } : {}),
          },
        ];
      });
      await enqueueMany(boss, tx, deliverWebhook, jobs);
    }

    // Duplicates: report what the first acceptance created.
    const duplicates = rows.filter((r) => !insertedIds.has(r.externalId)).map((r) => r.externalId);
    if (duplicates.length) {
      const existing = await tx
        .select({
          externalId: eventKeys.externalId,
          // A delivery is never older than its event: the partitions of earlier days are pruned.
          n: sql<number>`(select count(*)::int from "deliveries" d where d."event_id" = "event_keys"."event_id" and d."created_at" >= "event_keys"."created_at")`,
        })
        .from(eventKeys)
        .where(and(eq(eventKeys.companyId, companyId), inArray(eventKeys.externalId, duplicates)));
      for (const e of existing) countByExternal.set(e.externalId, e.n);
    }

    // A repeated id within this batch is a duplicate of its first occurrence.
    const seen = new Set<string>();
    return rows.map((r) => {
      const repeat = seen.has(r.externalId);
      seen.add(r.externalId);
      return {
        id: r.externalId,
        deliveries: countByExternal.get(r.externalId) ?? 0,
        duplicate: repeat || !insertedIds.has(r.externalId),
      };
    });
  });
}

interface Match {
  event: { id: string; externalId: string; data: Record<string, unknown>; previous: Record<string, unknown> | null };
  hook: { id: string };
  config: Partial<WebhookConfig>;
  holds: boolean;
  mode: TriggerMode;
  /** The record a first-time mode remembers; null for "every" and for events without a record id. */
  key: { webhookId: string; recordId: string } | null;
}

/**
 * The first-time trigger modes (webhook_record_triggers): which of the matches (by index) are not sent.
 * The insert of a record's first holding event decides who is first, under concurrency too: a second
 * transaction's insert of the same record waits for the first and then does nothing.
 */
async function applyFirstTimeModes(tx: DbOrTx, matches: Match[]): Promise<Set<number>> {
  const dropped = new Set<number>();
  const keyOf = (k: { webhookId: string; recordId: string }) => `${k.webhookId}:${k.recordId}`;
  const keyed = matches.flatMap((m, i) => (m.key ? [{ m, i, key: keyOf(m.key) }] : []));
  if (!keyed.length) return dropped;
  // Records an "until the first time" webhook was done with before this request.
  const untilKeys = [
    ...new Map(keyed.filter((k) => k.m.mode === "until_first").map((k) => [k.key, k.m.key!])).values(),
  ];
  const doneBefore = new Set<string>();
  if (untilKeys.length) {
    const rows = await executePrepared<{ webhookId: string; recordId: string }>(
      tx,
      sql`select r.webhook_id as "webhookId", r.record_id as "recordId" from ${webhookRecordTriggers} r
          join jsonb_to_recordset(${jsonParam(untilKeys.map((k) => ({ webhook_id: k.webhookId, record_id: k.recordId })))}::jsonb)
            as t(webhook_id uuid, record_id text) on r.webhook_id = t.webhook_id and r.record_id = t.record_id`,
    );
    for (const r of rows) doneBefore.add(keyOf(r));
  }
  // Each record's first holding event in this request.
  const firstHolding = new Map<string, number>();
  for (const k of keyed) if (k.m.holds && !firstHolding.has(k.key)) firstHolding.set(k.key, k.i);
  const won = new Set<string>();
  if (firstHolding.size) {
    const rows = await executePrepared<{ webhookId: string; recordId: string }>(
      tx,
      sql`insert into ${webhookRecordTriggers} (webhook_id, record_id, event_id)
          select t.webhook_id, t.record_id, t.event_id
          from jsonb_to_recordset(${jsonParam([...firstHolding.values()].map((i) => ({ webhook_id: matches[i].key!.webhookId, record_id: matches[i].key!.recordId, event_id: matches[i].event.id })))}::jsonb)
            as t(webhook_id uuid, record_id text, event_id uuid)
          on conflict do nothing
          returning webhook_id as "webhookId", record_id as "recordId"`,
    );
    for (const r of rows) won.add(keyOf(r));
  }
  for (const { m, i, key } of keyed) {
    const first = firstHolding.get(key);
    const send = m.holds
      ? i === first && won.has(key)
      : // until_first, before the record's first holding event (if any in this request)
        !doneBefore.has(key) && (first === undefined || i < first);
    if (!send) dropped.add(i);
  }
  return dropped;
}
