import { and, eq, inArray } from "drizzle-orm";
import { bulkRetries, deliveries, webhooks, type DeliveryStatus } from "@/db/schema";
import { recordAudit } from "@/db/queries/companies";
import { decodeCursor } from "@/db/keyset";
import { listWebhookDeliveries, lockCompanyDelivery } from "@/db/queries/deliveries";
import { byId } from "@/db/partitions";
import { getCompanyWebhook } from "@/db/queries/webhooks";
import { deliverJobOptions, deliverWebhook, enqueue, retryDeliveries, type DeliverJob } from "@/jobs/definitions";
import { ActionError, defineAction, ok, type ActionContext } from "@/lib/action";
import type { Actor } from "@/lib/authz";
import {
  deliveryIdSchema,
  listDeliveriesSchema,
  RETRY_PERIODS,
  recoverWebhookSchema,
  retryFailedSchema,
} from "@/lib/validations/listing";
import { webhookConfigOf } from "@/lib/webhooks";

/** A webhook's history, newest first, by status, a page at a time (`nextCursor` for the next one). */
export const listDeliveries = defineAction({
  name: "listDeliveries",
  access: "webhooks.view",
  schema: listDeliveriesSchema,
  async handler({ db, readDb, actor }, input) {
    const cursor = input.cursor ? decodeCursor(input.cursor) : null;
    if (input.cursor && !cursor)
      throw new ActionError("invalid", "cursor: Not a cursor of this API: pass nextCursor back unchanged", {
        cursor: ["Not a cursor of this API: pass nextCursor back unchanged"],
      });
    if (!(await getCompanyWebhook(db, actor.companyId, input.webhookId)))
      throw new ActionError("not_found", "Webhook not found");
    return ok(
      // The history: the replica's (getReadDb), when there is one.
      await listWebhookDeliveries(readDb ?? db, actor.companyId, input.webhookId, {
        status: input.status,
        cursor,
        limit: input.limit,
      }),
    );
  },
});

/**
 * Resend (the history's Resync): the delivery goes back to queued and a job sends it once more,
 * now, as a manual attempt logged with who asked — even for a switched-off webhook, and without
 * retries. Refused while an attempt is in flight.
 */
export const resendDelivery = defineAction({
  name: "resendDelivery",
  access: "webhooks.manage",
  schema: deliveryIdSchema,
  async handler({ db, boss, actor }, input) {
    const queue = await boss();
    return db.transaction(async (tx) => {
      const row = await lockCompanyDelivery(tx, actor.companyId, input.deliveryId);
      if (!row) throw new ActionError("not_found", "Delivery not found");
      if (row.delivery.status === "dispatched")
        throw new ActionError(
          "conflict",
          "This delivery is being sent right now; resend it once the attempt has finished",
        );
      await tx
        .update(deliveries)
        .set({ status: "queued", nextAttemptAt: new Date(), completedAt: null, deferredReason: null })
        .where(byId(deliveries, row.delivery.id));
      const job: DeliverJob = {
        deliveryId: row.delivery.id,
        manual: { userId: actor.userId },
        companyId: actor.companyId,
      };
      await enqueue(queue, tx, deliverWebhook, job, deliverJobOptions(row.webhook.id, webhookConfigOf(row.webhook)));
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "delivery.resent",
        targetType: "delivery",
        targetId: row.delivery.id,
        details: { webhookId: row.webhook.id, name: row.webhook.name, previousStatus: row.delivery.status },
      });
      return ok({ deliveryId: row.delivery.id, status: "queued" as const }, "Delivery queued to be sent again");
    });
  },
});

const PERIOD_MS: Record<(typeof RETRY_PERIODS)[number], number> = {
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  all: 0,
};

/**
 * "Retry all failed" for a webhook over a period (and the skipped ones on request): records the
 * request and queues a `retry-deliveries` job in one transaction; the job re-queues the matching
 * deliveries in batches and writes its progress. One at a time per webhook.
 */
/**
 * Queues a bulk retry of one webhook's deliveries ("Retry all failed", "Recover…"), in one transaction: the
 * webhook locked in the actor's company, refused while another runs, the bulk_retries row, its job and the
 * audit entry. `check` may refuse the webhook first (Recover needs it switched on).
 */
async function startBulkRetry(
  { db, boss, actor }: ActionContext<Actor>,
  webhookId: string,
  plan: (webhook: { id: string; name: string; active: boolean }) => {
    values: Omit<typeof bulkRetries.$inferInsert, "companyId" | "webhookId" | "requestedBy" | "toTime" | "createdAt">;
    audit: { action: "deliveries.retry_all" | "deliveries.recover"; details: Record<string, unknown> };
    message: string;
  },
) {
  const queue = await boss();
  return db.transaction(async (tx) => {
    const [webhook] = await tx
      .select({ id: webhooks.id, name: webhooks.name, active: webhooks.active })
      .from(webhooks)
      .where(and(eq(webhooks.companyId, actor.companyId), eq(webhooks.id, webhookId)))
      .for("update");
    if (!webhook) throw new ActionError("not_found", "Webhook not found");
    const { values, audit, message } = plan(webhook);
    const [running] = await tx
      .select({ id: bulkRetries.id })
      .from(bulkRetries)
      .where(and(eq(bulkRetries.webhookId, webhook.id), inArray(bulkRetries.state, ["queued", "running"])));
    if (running)
      throw new ActionError(
        "conflict",
        "A retry of this webhook's deliveries is already running; wait for it to finish",
      );
    const now = new Date();
    const [bulk] = await tx
      .insert(bulkRetries)
      .values({
        ...values,
        companyId: actor.companyId,
        webhookId: webhook.id,
        requestedBy: actor.userId,
        toTime: now,
        createdAt: now,
      })
      .returning({ id: bulkRetries.id });
    await enqueue(queue, tx, retryDeliveries, { bulkRetryId: bulk.id });
    await recordAudit(tx, {
      companyId: actor.companyId,
      actorUserId: actor.userId,
      action: audit.action,
      targetType: "webhook",
      targetId: webhook.id,
      details: { name: webhook.name, ...audit.details },
    });
    return ok({ bulkRetryId: bulk.id }, message);
  });
}

export const retryFailedDeliveries = defineAction({
  name: "retryFailedDeliveries",
  access: "webhooks.manage",
  schema: retryFailedSchema,
  async handler(deps, input) {
    const statuses: DeliveryStatus[] = input.includeSkipped ? ["failed", "skipped"] : ["failed"];
    const period = PERIOD_MS[input.period];
    return startBulkRetry(deps, input.webhookId, (webhook) => ({
      values: { statuses, fromTime: period ? new Date(Date.now() - period) : null },
      audit: { action: "deliveries.retry_all", details: { period: input.period, statuses } },
      message: `Retrying the ${statuses.join(" and ")} deliveries of ${webhook.name}`,
    }));
  },
});

/**
 * "Recover…": after a receiver outage, sends every event of the webhook's types since the chosen time that
 * did not reach it — its failed and skipped deliveries once more, and the events that arrived while it was
 * switched off or auto-disabled (they have no delivery) for the first time, with its retry policy. Runs in
 * the background like "Retry all failed" (one at a time per webhook), with its progress on the history page.
 */
export const recoverWebhook = defineAction({
  name: "recoverWebhook",
  access: "webhooks.manage",
  schema: recoverWebhookSchema,
  async handler(deps, input) {
    const since = new Date(input.since);
    return startBulkRetry(deps, input.webhookId, (webhook) => {
      if (!webhook.active) {
        const message = "Switch the webhook on first: a switched-off webhook sends nothing";
        throw new ActionError("invalid", message, { webhookId: [message] });
      }
      return {
        values: { statuses: ["failed", "skipped"], fromTime: since, recover: true },
        audit: { action: "deliveries.recover", details: { since: since.toISOString() } },
        message: `Recovering what ${webhook.name} missed since ${since.toISOString()}`,
      };
    });
  },
});
