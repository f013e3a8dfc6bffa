import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { companies } from "@/db/schema";
import { recordAudit } from "@/db/queries/companies";
import { invitationRoleOf, lockCompanyNotification, markNotification } from "@/db/queries/notifications";
import { companyGroup, enqueue, sendEmail } from "@/jobs/definitions";
import { ActionError, defineAction, ok } from "@/lib/action";
import { couldInvite } from "@/lib/outbox";
import { companySettingsSchema, notificationIdSchema, UNLIMITED_DAILY_CALLS } from "@/lib/validations/settings";

export interface CompanySettings {
  name: string;
  retentionDays: number;
  autoDisableAfterHours: number;
  /** null: no limit. */
  dailyCallLimit: number | null;
  /** "" : the members' domains (see jobs/recipients.ts). */
  notificationDomains: string;
}

const SETTINGS_FIELDS = [
  "name",
  "retentionDays",
  "autoDisableAfterHours",
  "dailyCallLimit",
  "notificationDomains",
] as const;

/** The company's settings as the form shows them (the stored "unlimited" value reads as null). */
export async function getCompanySettings(
  db: DbOrTx,
  companyId: string,
  options: { forUpdate?: boolean } = {},
): Promise<CompanySettings | null> {
  const query = db
    .select({
      name: companies.name,
      retentionDays: companies.retentionDays,
      autoDisableAfterHours: companies.autoDisableAfterHours,
      dailyCallLimit: companies.dailyCallLimit,
      notificationDomains: companies.notificationDomains,
    })
    .from(companies)
    .where(eq(companies.id, companyId));
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) return null;
  return {
    ...row,
    dailyCallLimit: row.dailyCallLimit >= UNLIMITED_DAILY_CALLS ? null : row.dailyCallLimit,
    notificationDomains: row.notificationDomains ?? "",
  };
}

/**
 * Name, data retention, auto-disable period and daily call limit. The form names the company it was
 * loaded for: after a switch of company in another tab the save is refused rather than applied to
 * the other company. Audited with the before → after of each changed field.
 */
export const updateCompanySettings = defineAction({
  name: "updateCompanySettings",
  access: "company.manage",
  schema: companySettingsSchema,
  async handler({ db, actor }, input) {
    if (input.companyId !== actor.companyId)
      throw new ActionError("not_found", "These settings belong to another company: reload the page");
    return db.transaction(async (tx) => {
      const before = await getCompanySettings(tx, actor.companyId, { forUpdate: true });
      if (!before) throw new ActionError("not_found", "Company not found");
      const after: CompanySettings = {
        name: input.name,
        retentionDays: input.retentionDays,
        autoDisableAfterHours: input.autoDisableAfterHours,
        dailyCallLimit: input.dailyCallLimit,
        notificationDomains: input.notificationDomains,
      };
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const field of SETTINGS_FIELDS) {
        if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
      }
      if (Object.keys(changes).length === 0) return ok(after, "Nothing to save: the settings are unchanged");
      await tx
        .update(companies)
        .set({
          ...after,
          dailyCallLimit: after.dailyCallLimit ?? UNLIMITED_DAILY_CALLS,
          notificationDomains: after.notificationDomains || null,
        })
        .where(eq(companies.id, actor.companyId));
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "company.updated",
        targetType: "company",
        targetId: actor.companyId,
        details: { name: after.name, changes },
      });
      return ok(after, "Company settings saved");
    });
  },
});

/**
 * Sends one outbox email again: the row goes back to queued and a `send-email` job is queued in the
 * same transaction. Refused while the email is still queued (its job has not run yet).
 */
export const resendEmail = defineAction({
  name: "resendEmail",
  access: "company.manage",
  schema: notificationIdSchema,
  async handler({ db, boss, actor }, input) {
    const queue = await boss();
    return db.transaction(async (tx) => {
      const row = await lockCompanyNotification(tx, actor.companyId, input.notificationId);
      if (!row) throw new ActionError("not_found", "Email not found");
      if (row.status === "queued") throw new ActionError("conflict", "This email is already queued to be sent");
      // An invitation is resent only by someone who could have issued it (lib/outbox.ts).
      if (row.kind === "invitation" && !couldInvite(actor, await invitationRoleOf(tx, actor.companyId, row.refId)))
        throw new ActionError("not_found", "Email not found");
      await markNotification(tx, row.id, { status: "queued", error: null });
      await enqueue(queue, tx, sendEmail, { notificationId: row.id }, companyGroup(actor.companyId));
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "email.resent",
        targetType: "company",
        targetId: actor.companyId,
        details: {
          notificationId: row.id,
          kind: row.kind,
          to: row.toEmail,
          subject: row.subject,
          previousStatus: row.status,
        },
      });
      return ok(
        { notificationId: row.id, status: "queued" as const },
        `Email to ${row.toEmail} queued to be sent again`,
      );
    });
  },
});
