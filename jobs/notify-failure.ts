import { and, count, desc, eq, gt, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { deliveries, events, notifications, webhooks } from "@/db/schema";
import type { SendErrorKind } from "@/lib/delivery/http-client";
import { statusMeaning } from "@/lib/delivery/status-meaning";
import { deliveryFailedEmail } from "@/lib/email";
import { appUrl } from "@/lib/env";
import { enqueue, notifyFailure, type NotifyFailureJob } from "./definitions";
import { companyMembers, recordOwnerMayBeMailed, webhookAdminEmails } from "./recipients";
import { enqueueEmail } from "@/lib/outbox";

export const FAILURE_EMAIL_KIND = "delivery_failed";

/**
 * Emails the webhook's creator, the company's members who hold Manage Webhooks, and the record's
 * owner (Vtiger) that a delivery failed for good. At most one email per webhook per hour: the job
 * is sent throttled per webhook (jobs/delivery-pipeline.ts), and an email counts what else failed
 * since the previous one.
 */
export async function notifyFailureJob(db: Database, boss: PgBoss, job: NotifyFailureJob): Promise<void> {
  const [row] = await db
    .select({ webhook: webhooks, delivery: deliveries, event: events })
    .from(deliveries)
    .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
    .innerJoin(events, eq(events.id, deliveries.eventId))
    .where(and(eq(deliveries.id, job.deliveryId), eq(webhooks.id, job.webhookId)));
  if (!row) return;
  const { webhook, delivery, event } = row;

  const [last] = await db
    .select({ at: notifications.createdAt })
    .from(notifications)
    .where(and(eq(notifications.kind, FAILURE_EMAIL_KIND), eq(notifications.refId, webhook.id)))
    .orderBy(desc(notifications.createdAt))
    .limit(1);
  if (last && Date.now() - last.at.getTime() < 3_600_000) {
    // One email per webhook per hour: come back when the hour is over, to report what failed since.
    await enqueue(boss, db, notifyFailure, job, {
      startAfter: new Date(last.at.getTime() + 3_600_000),
      singletonKey: `${webhook.id}:later`,
      singletonSeconds: 3600,
    });
    return;
  }
  const since = last?.at ?? new Date(0);
  const [failedSince] = await db
    .select({ n: count() })
    .from(deliveries)
    .where(
      and(eq(deliveries.webhookId, webhook.id), eq(deliveries.status, "failed"), gt(deliveries.completedAt, since)),
    );

  // Recipients: creator, members holding Manage Webhooks (owners included), the record's owner.
  const members = await companyMembers(db, webhook.companyId);
  const recipients = await webhookAdminEmails(db, webhook.companyId, webhook.createdBy, members);
  // The record's owner only when a member, or at one of the company's notification domains.
  const ownerEmail = await recordOwnerMayBeMailed(db, webhook.companyId, event.owner?.email, members);
  if (ownerEmail) recipients.add(ownerEmail);
  if (recipients.size === 0) return;

  const email = deliveryFailedEmail({
    webhookName: webhook.name,
    callbackUrl: webhook.url,
    eventType: event.type,
    recordId: event.recordId,
    status: delivery.lastStatusCode,
    meaning: statusMeaning(
      delivery.lastStatusCode,
      (delivery.lastError?.split(":")[0] ?? null) as SendErrorKind | null,
    ),
    attempts: delivery.attempts,
    othersFailed: Math.max(0, (failedSince?.n ?? 1) - 1),
    historyUrl: `${appUrl()}/webhooks/${webhook.id}/history`,
  });
  await db.transaction(async (tx) => {
    // Serialise per webhook so two jobs cannot both pass the hourly check.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${webhook.id}))`);
    const [again] = await tx
      .select({ n: count() })
      .from(notifications)
      .where(
        and(
          eq(notifications.kind, FAILURE_EMAIL_KIND),
          eq(notifications.refId, webhook.id),
          gt(notifications.createdAt, new Date(Date.now() - 3_600_000)),
        ),
      );
    if ((again?.n ?? 0) > 0) return;
    for (const to of recipients) {
      await enqueueEmail(tx, boss, {
        companyId: webhook.companyId,
        kind: FAILURE_EMAIL_KIND,
        refId: webhook.id,
        toEmail: to,
        email,
      });
    }
  });
}
