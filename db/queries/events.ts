import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { executePrepared, jsonParam, type DbOrTx } from "@/db";
import { apiKeys, deliveries, eventRateWindows, events, users, webhooks } from "@/db/schema";
import { encodeCursor, isUuid, type KeysetCursor } from "@/db/keyset";
import { byId } from "@/db/partitions";
import type { MatchedDelivery } from "@/lib/history";

/** The deliveries an event made are described in lib/history.ts (the components read it there). */
export type { MatchedDelivery } from "@/lib/history";

export interface ListEventsParams {
  /** Matches the start of the record id or the event id (the sender's), any part of the type, or Hookrelay's event
   * UUID. */
  q?: string;
  /** Only events of this type. */
  type?: string;
  cursor?: KeysetCursor | null;
  limit: number;
}

function likePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** What the events list shows of each event: where it came from, and what it matched. */
const eventListColumns = {
  id: events.id,
  externalId: events.externalId,
  type: events.type,
  recordId: events.recordId,
  occurredAt: events.occurredAt,
  createdAt: events.createdAt,
  isTest: events.isTest,
  apiKeyId: events.apiKeyId,
  apiKeyName: apiKeys.name,
  sentById: events.sentBy,
  sentByName: users.name,
};

/**
 * One page of a company's events, newest first, with the deliveries each one made. Keyset pagination
 * on (created_at desc, id desc), served by events_company_created_idx; the deliveries of the page's
 * events come in one more query on deliveries_event_idx.
 */
export async function listEvents(db: DbOrTx, companyId: string, params: ListEventsParams) {
  const filters: SQL[] = [eq(events.companyId, companyId)];
  const q = params.q?.trim();
  if (q) {
    const prefix = `${likePattern(q)}%`;
    const matches = [
      ilike(events.recordId, prefix),
      ilike(events.externalId, prefix),
      ilike(events.type, `%${likePattern(q)}%`),
    ];
    if (isUuid(q)) matches.push(byId(events, q.toLowerCase()));
    filters.push(or(...matches)!);
  }
  if (params.type) filters.push(eq(events.type, params.type));
  if (params.cursor)
    filters.push(
      sql`(${events.createdAt}, ${events.id}) < (${params.cursor.at}::timestamptz, ${params.cursor.id}::uuid)`,
    );
  const rows = await db
    .select({
      ...eventListColumns,
      cursorTime: sql<string>`to_char(${events.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(events)
    .leftJoin(apiKeys, eq(apiKeys.id, events.apiKeyId))
    .leftJoin(users, eq(users.id, events.sentBy))
    .where(and(...filters))
    .orderBy(desc(events.createdAt), desc(events.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > params.limit && last ? encodeCursor({ at: last.cursorTime, id: last.id }) : null;
  const matched = await deliveriesOfEvents(
    db,
    companyId,
    page.map((e) => e.id),
  );
  return {
    events: page.map(({ cursorTime: _, ...e }) => ({ ...e, deliveries: matched.filter((d) => d.eventId === e.id) })),
    nextCursor,
  };
}
export type EventListRow = Awaited<ReturnType<typeof listEvents>>["events"][number];

/** The deliveries of these events (of this company), oldest first, with their webhook's name. */
export async function deliveriesOfEvents(
  db: DbOrTx,
  companyId: string,
  eventIds: string[],
): Promise<MatchedDelivery[]> {
  if (eventIds.length === 0) return [];
  return db
    .select({
      id: deliveries.id,
      eventId: deliveries.eventId,
      webhookId: deliveries.webhookId,
      webhookName: webhooks.name,
      status: deliveries.status,
      lastStatusCode: deliveries.lastStatusCode,
      attempts: deliveries.attempts,
    })
    .from(deliveries)
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .where(and(eq(deliveries.companyId, companyId), inArray(deliveries.eventId, eventIds)))
    .orderBy(asc(deliveries.createdAt), asc(webhooks.name), asc(deliveries.id));
}

/** One event of this company with its payload, its source and its deliveries, or null. */
export async function getCompanyEvent(db: DbOrTx, companyId: string, eventId: string) {
  const [row] = await db
    .select({ ...eventListColumns, data: events.data, previous: events.previous, owner: events.owner })
    .from(events)
    .leftJoin(apiKeys, eq(apiKeys.id, events.apiKeyId))
    .leftJoin(users, eq(users.id, events.sentBy))
    .where(and(eq(events.companyId, companyId), byId(events, eventId)));
  if (!row) return null;
  return { ...row, deliveries: await deliveriesOfEvents(db, companyId, [row.id]) };
}
export type EventDetail = NonNullable<Awaited<ReturnType<typeof getCompanyEvent>>>;

/**
 * The events API's per-company rate limit: counts `n` events in the company's current one-second
 * window (the database's clock) and says whether the window is still within `limit`, and how many
 * the window holds now (the events API's fair-queueing priority reads it). Kept in
 * PostgreSQL, one row per company, so it holds across every web process; one prepared statement.
 * `at` names the window instead of the clock (tests).
 */
export async function takeEventRate(
  db: DbOrTx,
  companyId: string,
  n: number,
  limit: number,
  at?: { second: number },
): Promise<{ allowed: boolean; count: number }> {
  const count = (await takeEventRates(db, [{ companyId, n }], at)).get(companyId) ?? n;
  return { allowed: count <= limit, count };
}

/**
 * takeEventRate for several companies at once (the intake's group commit): counts each company's `n`
 * events in its window, in one statement, and returns each window's count afterwards. Rows are taken in
 * company order, so two processes' statements never wait on each other crosswise.
 */
export async function takeEventRates(
  db: DbOrTx,
  takes: { companyId: string; n: number }[],
  at?: { second: number },
): Promise<Map<string, number>> {
  const byCompany = new Map<string, number>();
  for (const t of takes) byCompany.set(t.companyId, (byCompany.get(t.companyId) ?? 0) + t.n);
  const rows = await executePrepared<{ companyId: string; count: number }>(
    db,
    sql`
    insert into ${eventRateWindows} as w (company_id, second, count)
    select t.company_id, coalesce(${at?.second ?? null}::bigint, floor(extract(epoch from clock_timestamp()))::bigint), t.n
    from jsonb_to_recordset(${jsonParam([...byCompany].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([company_id, n]) => ({ company_id, n })))}::jsonb)
      as t(company_id uuid, n int)
    order by t.company_id
    on conflict (company_id) do update
      set count = case when w.second = excluded.second then w.count + excluded.count else excluded.count end,
          second = excluded.second
    returning company_id as "companyId", count`,
  );
  return new Map(rows.map((r) => [r.companyId, r.count]));
}
