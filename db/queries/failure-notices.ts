import { and, desc, eq, gt, inArray, isNotNull, lt, or, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { deliveries, deliveryAttempts, events, notifications, webhooks } from "../schema";
import { attemptsOf, deliveryOfAttempt, eventOfDelivery } from "../partitions";

/**
 * The reads behind the failure emails (jobs/notify-failure.ts): the failed attempt an email is built from, the
 * previous email of the same kind (the hourly throttle), and how many more failed since.
 */

/** Which failures an email is about: a delivery's first failed attempt (retries follow), or its failure for good. */
export type FailureNoticeKind = "first_failure" | "failed";

/** A webhook's row, for the failure email (name, company, creator, config, URL). */
export async function webhookForNotice(db: DbOrTx, webhookId: string) {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
  return row ?? null;
}

/**
 * One attempt of one of the webhook's deliveries, with its delivery and event: by attempt number, else (a job queued
 * before jobs carried one) the delivery's last attempt. Null when it is gone (retention, the webhook deleted).
 */
export async function attemptForNotice(db: DbOrTx, webhookId: string, deliveryId: string, attemptNumber?: number) {
  const [row] = await db
    .select({ attempt: deliveryAttempts, delivery: deliveries, event: events })
    .from(deliveryAttempts)
    .innerJoin(deliveries, deliveryOfAttempt())
    .innerJoin(events, eventOfDelivery())
    .where(
      and(
        attemptsOf(deliveryAttempts, deliveryId),
        eq(deliveries.webhookId, webhookId),
        attemptNumber !== undefined ? eq(deliveryAttempts.attemptNumber, attemptNumber) : undefined,
      ),
    )
    .orderBy(desc(deliveryAttempts.attemptNumber), desc(deliveryAttempts.id))
    .limit(1);
  return row ?? null;
}
export type NoticeAttempt = NonNullable<Awaited<ReturnType<typeof attemptForNotice>>>;

/**
 * Whether an email of this kind about this delivery still holds: "failed" while it is failed (not delivered or resent
 * since); "first_failure" while its retries are still to come (queued or being sent), not once it was delivered or
 * failed for good (that email says so).
 */
export function noticeStillHolds(kind: FailureNoticeKind, status: string): boolean {
  return kind === "failed" ? status === "failed" : status === "queued" || status === "dispatched";
}

/**
 * The webhook's latest failure of this kind since `since` that still holds: the email a summary job sends when the
 * delivery it was queued for has been delivered meanwhile. Null when none is left to tell about.
 */
export async function latestHoldingFailure(db: DbOrTx, webhookId: string, kind: FailureNoticeKind, since: Date) {
  const [latest] = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.webhookId, webhookId),
        kind === "failed"
          ? and(eq(deliveries.status, "failed"), gt(deliveries.completedAt, since))
          : and(inArray(deliveries.status, ["queued", "dispatched"]), isNotNull(deliveries.lastError)),
        // A delivery's failure is at most as old as the delivery: bounds the scan to the period.
        kind === "first_failure" ? gt(deliveries.createdAt, since) : undefined,
      ),
    )
    .orderBy(desc(kind === "failed" ? deliveries.completedAt : deliveries.createdAt))
    .limit(1);
  return latest ? attemptForNotice(db, webhookId, latest.id) : null;
}

/** When this webhook's last email of this kind was recorded (any recipient), or null. */
export async function lastFailureNotice(db: DbOrTx, emailKind: string, webhookId: string): Promise<Date | null> {
  const [last] = await db
    .select({ at: notifications.createdAt })
    .from(notifications)
    .where(and(eq(notifications.kind, emailKind), eq(notifications.refId, webhookId)))
    .orderBy(desc(notifications.createdAt))
    .limit(1);
  return last?.at ?? null;
}

/** Counting stops here: a summary says "10000 other deliveries" rather than scan a flood's whole history. */
export const FAILURES_COUNTED_AT_MOST = 10_000;

/**
 * How many of the webhook's deliveries failed this way since `since`, `exceptDeliveryId` (the one the email shows)
 * left out: failed for good (completed since), or failed a first attempt (an attempt 1 that was not a 2xx, made since).
 */
export async function failuresSince(
  db: DbOrTx,
  webhookId: string,
  kind: FailureNoticeKind,
  since: Date,
  exceptDeliveryId: string,
): Promise<number> {
  const matching =
    kind === "failed"
      ? db
          .select({ one: sql`1` })
          .from(deliveries)
          .where(
            and(
              eq(deliveries.webhookId, webhookId),
              eq(deliveries.status, "failed"),
              gt(deliveries.completedAt, since),
              sql`${deliveries.id} <> ${exceptDeliveryId}::uuid`,
            ),
          )
          .limit(FAILURES_COUNTED_AT_MOST)
      : db
          .select({ one: sql`1` })
          .from(deliveryAttempts)
          .innerJoin(deliveries, deliveryOfAttempt())
          .where(
            and(
              eq(deliveries.webhookId, webhookId),
              gt(deliveries.createdAt, since),
              gt(deliveryAttempts.deliveryCreatedAt, since),
              eq(deliveryAttempts.attemptNumber, 1),
              gt(deliveryAttempts.createdAt, since),
              or(
                sql`${deliveryAttempts.responseStatus} is null`,
                lt(deliveryAttempts.responseStatus, 200),
                sql`${deliveryAttempts.responseStatus} >= 300`,
              ),
              sql`${deliveries.id} <> ${exceptDeliveryId}::uuid`,
            ),
          )
          .limit(FAILURES_COUNTED_AT_MOST);
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(matching.as("m"));
  return row?.n ?? 0;
}
