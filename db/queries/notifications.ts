import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { notifications } from "../schema";

export async function insertNotification(
  db: DbOrTx,
  values: { companyId: string; kind: string; refId?: string | null; toEmail: string; subject: string; html: string; text: string },
) {
  const [row] = await db.insert(notifications).values(values).returning();
  return row;
}

export async function getNotification(db: DbOrTx, id: string) {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
  return row ?? null;
}

export async function getCompanyNotification(db: DbOrTx, companyId: string, id: string) {
  const [row] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.companyId, companyId), eq(notifications.id, id)));
  return row ?? null;
}

export async function listNotifications(db: DbOrTx, companyId: string, limit = 100) {
  return db
    .select()
    .from(notifications)
    .where(eq(notifications.companyId, companyId))
    .orderBy(desc(notifications.createdAt))
    .limit(limit);
}

export async function markNotification(
  db: DbOrTx,
  id: string,
  values: { status: "sent" | "failed" | "recorded" | "queued"; providerId?: string | null; error?: string | null; attempts?: number },
) {
  await db
    .update(notifications)
    .set({ ...values, sentAt: values.status === "sent" ? new Date() : undefined })
    .where(eq(notifications.id, id));
}

/** One of the company's outbox emails, locked until the transaction ends (for a resend). */
export async function lockCompanyNotification(db: DbOrTx, companyId: string, id: string) {
  const [row] = await db
    .select({ id: notifications.id, toEmail: notifications.toEmail, subject: notifications.subject, kind: notifications.kind, status: notifications.status })
    .from(notifications)
    .where(and(eq(notifications.companyId, companyId), eq(notifications.id, id)))
    .for("update");
  return row ?? null;
}
