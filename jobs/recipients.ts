import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { memberships, roles, users } from "@/db/schema";
import { roleHasPermission } from "@/lib/permissions";

/** Who hears about a webhook's trouble: its creator and every member holding Manage Webhooks (owners included). */
export async function webhookAdminEmails(db: DbOrTx, companyId: string, createdBy: string | null): Promise<Set<string>> {
  const members = await db
    .select({ userId: users.id, email: users.email, isOwner: roles.isOwner, permissions: roles.permissions })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(eq(memberships.companyId, companyId));
  return new Set(members.filter((m) => m.userId === createdBy || roleHasPermission(m, "webhooks.manage")).map((m) => m.email.toLowerCase()));
}
