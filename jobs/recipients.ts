import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { companies, memberships, roles, users } from "@/db/schema";
import { hasControlOrBidi } from "@/lib/validations/text";
import { roleHasPermission } from "@/lib/permissions";

type Member = { userId: string; email: string; isOwner: boolean; permissions: string[] };

/** The company's members with their roles' permissions. */
export function companyMembers(db: DbOrTx, companyId: string): Promise<Member[]> {
  return db
    .select({ userId: users.id, email: users.email, isOwner: roles.isOwner, permissions: roles.permissions })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(eq(memberships.companyId, companyId));
}

/** Who hears about a webhook's trouble: its creator and every member holding Manage Webhooks (owners included). */
export async function webhookAdminEmails(
  db: DbOrTx,
  companyId: string,
  createdBy: string | null,
  members?: Member[],
): Promise<Set<string>> {
  const list = members ?? (await companyMembers(db, companyId));
  return new Set(
    list
      .filter((m) => m.userId === createdBy || roleHasPermission(m, "webhooks.manage"))
      .map((m) => m.email.toLowerCase()),
  );
}

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)$/i;

/**
 * Whether a record's `owner.email` (from an event, i.e. from whoever holds an API key) may get the
 * failure email: only a member's address, or an address at one of the company's notification domains
 * (Settings → Company; blank: the domains of the members' own addresses). Anything else — a stranger's
 * address, a malformed one — gets nothing, so an event cannot make Hookrelay mail anyone it likes.
 */
export async function recordOwnerMayBeMailed(
  db: DbOrTx,
  companyId: string,
  address: unknown,
  members?: Member[],
): Promise<string | null> {
  if (typeof address !== "string" || address.length > 254 || hasControlOrBidi(address)) return null;
  const email = address.trim().toLowerCase();
  const domain = ADDRESS.exec(email)?.[1];
  if (!domain) return null;
  const memberEmails = (members ?? (await companyMembers(db, companyId))).map((m) => m.email.toLowerCase());
  if (memberEmails.includes(email)) return email;
  const [company] = await db
    .select({ domains: companies.notificationDomains })
    .from(companies)
    .where(eq(companies.id, companyId));
  const domains = company?.domains
    ? company.domains.split(",").map((d) => d.trim())
    : memberEmails.map((m) => m.split("@")[1]);
  return domains.includes(domain) ? email : null;
}
