import { eq, sql } from "drizzle-orm";
import { fromDrizzle } from "pg-boss";
import { deliveries } from "@/db/schema";
import { recordAudit } from "@/db/queries/companies";
import { decodeDeliveryCursor, listWebhookDeliveries, lockCompanyDelivery } from "@/db/queries/deliveries";
import { getCompanyWebhook } from "@/db/queries/webhooks";
import { QUEUES } from "@/jobs/boss";
import { ActionError, defineAction, ok } from "@/lib/action";
import { deliverJobOptions, type DeliverJob } from "@/lib/events/ingest";
import { deliveryIdSchema, listDeliveriesSchema } from "@/lib/validations/listing";
import { webhookConfigOf } from "@/lib/webhooks";

/** A webhook's history, newest first, by status, a page at a time (`nextCursor` for the next one). */
export const listDeliveries = defineAction({
  name: "listDeliveries",
  access: "webhooks.view",
  schema: listDeliveriesSchema,
  async handler({ db, actor }, input) {
    const cursor = input.cursor ? decodeDeliveryCursor(input.cursor) : null;
    if (input.cursor && !cursor) throw new ActionError("invalid", "cursor: Not a cursor of this API: pass nextCursor back unchanged", { cursor: ["Not a cursor of this API: pass nextCursor back unchanged"] });
    if (!(await getCompanyWebhook(db, actor.companyId, input.webhookId))) throw new ActionError("not_found", "Webhook not found");
    return ok(await listWebhookDeliveries(db, actor.companyId, input.webhookId, { status: input.status, cursor, limit: input.limit }));
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
      if (row.delivery.status === "dispatched") throw new ActionError("conflict", "This delivery is being sent right now; resend it once the attempt has finished");
      await tx
        .update(deliveries)
        .set({ status: "queued", nextAttemptAt: new Date(), completedAt: null, deferredReason: null })
        .where(eq(deliveries.id, row.delivery.id));
      const job: DeliverJob = { deliveryId: row.delivery.id, manual: { userId: actor.userId } };
      await queue.send(QUEUES.deliverWebhook, job, { ...deliverJobOptions(row.webhook.id, webhookConfigOf(row.webhook)), db: fromDrizzle(tx, sql) });
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
