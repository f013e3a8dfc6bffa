import { and, eq, isNotNull, lt, sql } from "drizzle-orm";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { companies, webhooks } from "@/db/schema";
import { webhookDisabledEmail } from "@/lib/email";
import { appUrl } from "@/lib/env";
import { webhookAdminEmails } from "./recipients";
import { enqueueEmail } from "@/lib/outbox";

/**
 * Switches off active webhooks whose deliveries have failed continuously (no success since
 * `failing_since`) for longer than their company's `auto_disable_after_hours`, records the reason
 * shown on the listing, and emails the company's Manage Webhooks holders and the creator.
 * Runs on a schedule; `now` is injectable so tests need no waiting.
 */
export async function autoDisableWebhooks(db: Database, boss: PgBoss, now: Date = new Date()): Promise<string[]> {
  const candidates = await db
    .select({
      id: webhooks.id,
      companyId: webhooks.companyId,
      name: webhooks.name,
      url: webhooks.url,
      createdBy: webhooks.createdBy,
      failingSince: webhooks.failingSince,
      hours: companies.autoDisableAfterHours,
    })
    .from(webhooks)
    .innerJoin(companies, eq(companies.id, webhooks.companyId))
    .where(
      and(
        eq(webhooks.active, true),
        isNotNull(webhooks.failingSince),
        lt(
          webhooks.failingSince,
          sql`${now.toISOString()}::timestamptz - make_interval(hours => ${companies.autoDisableAfterHours})`,
        ),
      ),
    );
  const disabled: string[] = [];
  for (const hook of candidates) {
    const days = Math.round((hook.hours / 24) * 10) / 10;
    const reason = `Every delivery has failed since ${hook.failingSince!.toISOString().slice(0, 16).replace("T", " ")} UTC — more than ${days} day${days === 1 ? "" : "s"}`;
    await db.transaction(async (tx) => {
      const switched = await tx
        .update(webhooks)
        .set({ active: false, disabledAt: now, disabledReason: reason })
        .where(and(eq(webhooks.id, hook.id), eq(webhooks.active, true)))
        .returning({ id: webhooks.id });
      if (switched.length === 0) return;
      disabled.push(hook.id);
      const to = await webhookAdminEmails(tx, hook.companyId, hook.createdBy);
      const email = webhookDisabledEmail({
        webhookName: hook.name,
        callbackUrl: hook.url,
        reason,
        editUrl: `${appUrl()}/webhooks/${hook.id}`,
      });
      for (const address of to)
        await enqueueEmail(tx, boss, {
          companyId: hook.companyId,
          kind: "webhook_disabled",
          refId: hook.id,
          toEmail: address,
          email,
        });
    });
  }
  return disabled;
}
