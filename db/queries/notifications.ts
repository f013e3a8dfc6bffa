import { and, desc, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { invitations, notifications, roles } from "../schema";

export async function insertNotification(
  db: DbOrTx,
  values: {
    companyId: string;
    kind: string;
    refId?: string | null;
    toEmail: string;
    subject: string;
    html: string;
    text: string;
  },
) {
  const [row] = await db.insert(notifications).values(values).returning();
  return row;
}

export async function getNotification(db: DbOrTx, id: string) {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
  return row ?? null;
}

export async function markNotification(
  db: DbOrTx,
  id: string,
  values: {
    status: "sent" | "failed" | "recorded" | "queued";
    providerId?: string | null;
    error?: string | null;
    attempts?: number;
  },
) {
  await db
    .update(notifications)
    .set({ ...values, sentAt: values.status === "sent" ? new Date() : undefined })
    .where(eq(notifications.id, id));
}

/** One of the company's outbox emails, locked until the transaction ends (for a resend). */
export async function lockCompanyNotification(db: DbOrTx, companyId: string, id: string) {
  const [row] = await db
    .select({
      id: notifications.id,
      toEmail: notifications.toEmail,
      subject: notifications.subject,
      kind: notifications.kind,
      status: notifications.status,
      refId: notifications.refId,
    })
    .from(notifications)
    .where(and(eq(notifications.companyId, companyId), eq(notifications.id, id)))
    .for("update");
  return row ?? null;
}

/**
 * The company's outbox, newest first, each invitation email with the role it invites into (null
 * when the invitation or its role is gone, or for an email written before invitations named theirs).
 */
export async function listOutbox(db: DbOrTx, companyId: string, limit = 100) {
  return db
    .select({
      notification: notifications,
      inviteRole: { isOwner: roles.isOwner, permissions: roles.permissions },
    })
    .from(notifications)
    .leftJoin(
      invitations,
      and(eq(notifications.kind, "invitation"), sql`${invitations.id}::text = ${notifications.refId}`),
    )
    .leftJoin(roles, eq(roles.id, invitations.roleId))
    .where(eq(notifications.companyId, companyId))
    .orderBy(desc(notifications.createdAt))
    .limit(limit);
}

/** The role an invitation email invites into, for the resend check (null as in listOutbox). */
export async function invitationRoleOf(db: DbOrTx, companyId: string, refId: string | null) {
  if (!refId) return null;
  const [row] = await db
    .select({ isOwner: roles.isOwner, permissions: roles.permissions })
    .from(invitations)
    .innerJoin(roles, eq(roles.id, invitations.roleId))
    .where(and(eq(invitations.companyId, companyId), sql`${invitations.id}::text = ${refId}`));
  return row ?? null;
}
