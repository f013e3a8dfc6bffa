import { and, count, eq, gt, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { notifications } from "@/db/schema";
import {
  attemptForNotice,
  failuresSince,
  lastFailureNotice,
  latestHoldingFailure,
  noticeStillHolds,
  webhookForNotice,
  type NoticeAttempt,
} from "@/db/queries/failure-notices";
import type { SendErrorKind } from "@/lib/delivery/http-client";
import { retryDelays } from "@/lib/delivery/retry";
import { statusMeaning, statusMeaningParts } from "@/lib/delivery/status-meaning";
import { deliveryFailedEmail } from "@/lib/email";
import { appUrl } from "@/lib/env";
import { enqueueEmail } from "@/lib/outbox";
import { storedConfig } from "@/lib/webhooks";
import { companyGroup, enqueue, notifyFailure, type FailureNoticeKind, type NotifyFailureJob } from "./definitions";
import { companyMembers, recordOwnerMayBeMailed, webhookAdminEmails } from "./recipients";

/** The outbox kinds of the two failure emails; each is throttled on its own. */
export const FAILURE_EMAIL_KINDS: Record<FailureNoticeKind, string> = {
  first_failure: "delivery_first_failure",
  failed: "delivery_failed",
};

const HOUR_MS = 3_600_000;

/**
 * Emails the webhook's creator, the company's members who hold Manage Webhooks, and the record's owner (Vtiger)
 * about a failed attempt: at a delivery's first failed attempt (retries follow: when the next one is, how many are
 * left) and when it fails for good. Built from the attempt's log row — the URL actually called, placeholders filled
 * and secrets masked, its status, error and time — with a link to that delivery's page.
 *
 * Nothing is sent when the delivery no longer fails that way (delivered, resent, or — for a first failure — already
 * failed for good, which has its own email). At most one email of each kind per webhook per hour: a job inside the
 * hour comes back when it is over and then tells about the latest failure that still holds, counting the others.
 */
export async function notifyFailureJob(db: Database, boss: PgBoss, job: NotifyFailureJob): Promise<void> {
  const webhook = await webhookForNotice(db, job.webhookId);
  if (!webhook) return;
  const config = storedConfig(webhook);
  if (!config.notifyOnFailure) return;
  const kind = job.kind;
  const emailKind = FAILURE_EMAIL_KINDS[kind];

  const last = await lastFailureNotice(db, emailKind, webhook.id);
  if (last && Date.now() - last.getTime() < HOUR_MS) {
    // One email of this kind per webhook per hour: come back when the hour is over, to report what failed since.
    await enqueue(boss, db, notifyFailure, job, {
      startAfter: new Date(last.getTime() + HOUR_MS),
      singletonKey: `${kind}:${webhook.id}:later`,
      singletonSeconds: 3600,
      ...companyGroup(webhook.companyId),
    });
    return;
  }
  const since = last ?? new Date(Date.now() - HOUR_MS);

  let found: NoticeAttempt | null = await attemptForNotice(db, webhook.id, job.deliveryId, job.attemptNumber);
  if (!found || !noticeStillHolds(kind, found.delivery.status))
    found = await latestHoldingFailure(db, webhook.id, kind, since);
  if (!found || !noticeStillHolds(kind, found.delivery.status)) return;
  const { attempt, delivery, event } = found;

  // Recipients: creator, members holding Manage Webhooks (owners included), the record's owner.
  const members = await companyMembers(db, webhook.companyId);
  const recipients = await webhookAdminEmails(db, webhook.companyId, webhook.createdBy, members);
  // The record's owner only when a member, or at one of the company's notification domains.
  const ownerEmail = await recordOwnerMayBeMailed(db, webhook.companyId, event.owner?.email, members);
  if (ownerEmail) recipients.add(ownerEmail);
  if (recipients.size === 0) return;

  const errorKind = (attempt.errorKind ?? null) as SendErrorKind | null;
  const triesLeft = Math.max(0, retryDelays(config.retryPolicy).length - (attempt.attemptNumber - 1));
  const email = deliveryFailedEmail({
    kind,
    webhookName: webhook.name,
    eventType: event.type,
    recordId: event.recordId,
    method: attempt.requestMethod,
    url: attempt.requestUrl,
    status: attempt.responseStatus,
    meaning: statusMeaning(attempt.responseStatus, errorKind),
    error:
      attempt.responseStatus === null && errorKind
        ? `${statusMeaningParts(null, errorKind).label}${attempt.errorMessage ? ` — ${attempt.errorMessage}` : ""}`
        : null,
    attemptNumber: attempt.attemptNumber,
    attemptedAt: attempt.createdAt,
    nextAttemptAt: kind === "first_failure" ? delivery.nextAttemptAt : null,
    triesLeft: kind === "first_failure" ? triesLeft : null,
    othersFailed: await failuresSince(db, webhook.id, kind, since, delivery.id),
    afterEarlierNotice: last !== null,
    deliveryUrl: `${appUrl()}/webhooks/${webhook.id}/history/${delivery.id}`,
  });
  await db.transaction(async (tx) => {
    // Serialise per webhook and kind so two jobs cannot both pass the hourly check.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${emailKind}:${webhook.id}`}))`);
    const [again] = await tx
      .select({ n: count() })
      .from(notifications)
      .where(
        and(
          eq(notifications.kind, emailKind),
          eq(notifications.refId, webhook.id),
          gt(notifications.createdAt, new Date(Date.now() - HOUR_MS)),
        ),
      );
    if ((again?.n ?? 0) > 0) return;
    for (const to of recipients) {
      await enqueueEmail(tx, boss, {
        companyId: webhook.companyId,
        kind: emailKind,
        refId: webhook.id,
        toEmail: to,
        email,
      });
    }
  });
}
