import { and, count, eq, gte, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { deliveryOfAttempt } from "@/db/partitions";
import {
  apiKeys,
  auditLog,
  deliveries,
  deliveryAttempts,
  events,
  invitations,
  memberships,
  roles,
  webhooks,
} from "@/db/schema";
import {
  DASHBOARD_PERIODS,
  type DashboardPeriod,
  type DeliveryTotals,
  type FailingWebhook,
  type GettingStartedState,
  type HourBucket,
  type Latency,
} from "@/lib/dashboard";

/** The dashboard's types and periods live in lib/dashboard.ts (the components read them there). */
export {
  DASHBOARD_PERIODS,
  isDashboardPeriod,
  type DashboardPeriod,
  type DeliveryTotals,
  type FailingWebhook,
  type GettingStartedState,
  type HourBucket,
  type Latency,
} from "@/lib/dashboard";

const HOUR_MS = 3_600_000;

/** The start of the window (the top of the hour, `hours - 1` hours before the current one) and every hour in it. */
export function dashboardWindow(period: DashboardPeriod, now: Date = new Date()): { since: Date; hours: Date[] } {
  const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const n = DASHBOARD_PERIODS[period].hours;
  const hours = Array.from({ length: n }, (_, i) => new Date(current - (n - 1 - i) * HOUR_MS));
  return { since: hours[0], hours };
}

/**
 * A company's deliveries created in the window, by hour (UTC) and current status, every hour of
 * the window present (zeros where nothing happened). One index-only pass over
 * deliveries_company_created_idx (company_id, created_at, status).
 */
export async function deliveriesByHour(
  db: DbOrTx,
  companyId: string,
  window: { since: Date; hours: Date[] },
): Promise<HourBucket[]> {
  const hour = sql<Date>`date_trunc('hour', ${deliveries.createdAt}, 'UTC')`;
  const rows = await db
    .select({
      hour: sql<string>`to_char(${hour} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00.000"Z"')`,
      success: sql<number>`count(*) filter (where ${deliveries.status} = 'success')::int`,
      failed: sql<number>`count(*) filter (where ${deliveries.status} = 'failed')::int`,
      pending: sql<number>`count(*) filter (where ${deliveries.status} in ('queued', 'dispatched'))::int`,
      skipped: sql<number>`count(*) filter (where ${deliveries.status} = 'skipped')::int`,
    })
    .from(deliveries)
    .where(and(eq(deliveries.companyId, companyId), gte(deliveries.createdAt, window.since)))
    .groupBy(hour);
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  return window.hours.map((h) => {
    const key = h.toISOString();
    const r = byHour.get(key);
    return {
      hour: key,
      success: r?.success ?? 0,
      failed: r?.failed ?? 0,
      pending: r?.pending ?? 0,
      skipped: r?.skipped ?? 0,
    };
  });
}

export function totalsOf(buckets: HourBucket[]): DeliveryTotals {
  const t = { success: 0, failed: 0, pending: 0, skipped: 0 };
  for (const b of buckets) {
    t.success += b.success;
    t.failed += b.failed;
    t.pending += b.pending;
    t.skipped += b.skipped;
  }
  const finished = t.success + t.failed;
  return {
    ...t,
    total: t.success + t.failed + t.pending + t.skipped,
    successRate: finished ? t.success / finished : null,
  };
}

/**
 * p50 / p95 of how long receivers took to answer successfully: `duration_ms` of the company's
 * attempts with a 2xx response made in the window (delivery_attempts_company_created_idx).
 */
export async function deliveryLatency(db: DbOrTx, companyId: string, since: Date): Promise<Latency> {
  const [row] = await db
    .select({
      p50: sql<number | null>`round(percentile_cont(0.5) within group (order by ${deliveryAttempts.durationMs}))::int`,
      p95: sql<number | null>`round(percentile_cont(0.95) within group (order by ${deliveryAttempts.durationMs}))::int`,
      samples: count(),
    })
    .from(deliveryAttempts)
    .where(
      and(
        eq(deliveryAttempts.companyId, companyId),
        gte(deliveryAttempts.createdAt, since),
        sql`${deliveryAttempts.responseStatus} between 200 and 299`,
        sql`${deliveryAttempts.durationMs} is not null`,
      ),
    );
  return { p50: row?.p50 ?? null, p95: row?.p95 ?? null, samples: row?.samples ?? 0 };
}

/** The webhooks with the most failed attempts in the window, most first (ties: the most recent failure first). */
export async function topFailingWebhooks(
  db: DbOrTx,
  companyId: string,
  since: Date,
  limit = 5,
): Promise<FailingWebhook[]> {
  const rows = await db
    .select({
      webhookId: webhooks.id,
      name: webhooks.name,
      active: webhooks.active,
      failedAttempts: sql<number>`count(*)::int`,
      failedDeliveries: sql<number>`count(distinct ${deliveries.id}) filter (where ${deliveries.status} = 'failed')::int`,
      lastFailureAt: sql<string>`max(${deliveryAttempts.createdAt})`,
    })
    .from(deliveryAttempts)
    .innerJoin(deliveries, deliveryOfAttempt())
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .where(
      and(
        eq(deliveryAttempts.companyId, companyId),
        gte(deliveryAttempts.createdAt, since),
        sql`(${deliveryAttempts.responseStatus} is null or ${deliveryAttempts.responseStatus} not between 200 and 299)`,
      ),
    )
    .groupBy(webhooks.id)
    .orderBy(sql`count(*) desc`, sql`max(${deliveryAttempts.createdAt}) desc`)
    .limit(limit);
  return rows.map((r) => ({ ...r, lastFailureAt: new Date(r.lastFailureAt) }));
}

/** Whether the company has anything to chart yet: a webhook or an event. */
export async function hasDeliveryActivity(db: DbOrTx, companyId: string): Promise<boolean> {
  const [row] = await db.execute<{ yes: boolean }>(
    sql`select exists (select 1 from ${webhooks} where ${webhooks.companyId} = ${companyId}) or exists (select 1 from ${events} where ${events.companyId} = ${companyId}) as yes`,
  );
  return Boolean(row?.yes);
}

/**
 * The getting-started checklist's state, read from the company's data: members and open invitations, whether someone
 * besides the owners manages webhooks, live API keys, webhooks (one switched on?), a Test sent (the audit log) and a
 * delivery that succeeded. One round trip.
 */
export async function gettingStartedState(db: DbOrTx, companyId: string): Promise<GettingStartedState> {
  const openInvitation = sql`${invitations.acceptedAt} is null and ${invitations.revokedAt} is null and ${invitations.expiresAt} > now()`;
  const managerRole = sql`not ${roles.isOwner} and 'webhooks.manage' = any(${roles.permissions})`;
  const [row] = await db.execute<{
    members: number;
    keys: number;
    roles: number;
    open_invitations: boolean;
    delegated: boolean;
    webhooks: number;
    first_webhook_id: string | null;
    tested: boolean;
    active: boolean;
    delivered: boolean;
  }>(sql`select
    (select count(*)::int from ${memberships} where ${memberships.companyId} = ${companyId}) as members,
    (select count(*)::int from ${apiKeys} where ${apiKeys.companyId} = ${companyId} and ${apiKeys.revokedAt} is null) as keys,
    (select count(*)::int from ${roles} where ${roles.companyId} = ${companyId}) as roles,
    exists (select 1 from ${invitations} where ${invitations.companyId} = ${companyId} and ${openInvitation}) as open_invitations,
    (exists (select 1 from ${memberships} join ${roles} on ${roles.id} = ${memberships.roleId}
        where ${memberships.companyId} = ${companyId} and ${managerRole})
      or exists (select 1 from ${invitations} join ${roles} on ${roles.id} = ${invitations.roleId}
        where ${invitations.companyId} = ${companyId} and ${openInvitation} and ${managerRole})) as delegated,
    (select count(*)::int from ${webhooks} where ${webhooks.companyId} = ${companyId}) as webhooks,
    (select ${webhooks.id} from ${webhooks} where ${webhooks.companyId} = ${companyId}
      order by ${webhooks.createdAt}, ${webhooks.id} limit 1) as first_webhook_id,
    exists (select 1 from ${auditLog} where ${auditLog.companyId} = ${companyId} and ${auditLog.action} = 'webhook.tested') as tested,
    exists (select 1 from ${webhooks} where ${webhooks.companyId} = ${companyId} and ${webhooks.active}) as active,
    exists (select 1 from ${deliveries} where ${deliveries.companyId} = ${companyId} and ${deliveries.status} = 'success') as delivered`);
  return {
    members: row.members,
    keys: row.keys,
    roles: row.roles,
    invited: row.members > 1 || row.open_invitations,
    delegated: row.delegated,
    webhooks: row.webhooks,
    firstWebhookId: row.first_webhook_id,
    tested: row.tested,
    active: row.active,
    delivered: row.delivered,
  };
}
