import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { companies, memberships, roles, users } from "@/db/schema";
import { isPermission, roleHasPermission, type Permission } from "./permissions";

/** Who is acting, in which company, with which role — always read fresh from the database. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  companyId: string;
  companyName: string;
  membershipId: string;
  role: { id: string; name: string; isOwner: boolean; permissions: string[] };
}

/**
 * Loads the user's membership for the preferred company, or their first company when they are
 * not (or no longer) a member of it — unless `strict`, as actions are: they act only in the company
 * named. Returns null for a user with no (matching) membership.
 */
export async function loadActor(
  db: DbOrTx,
  userId: string,
  preferredCompanyId?: string | null,
  options: { strict?: boolean } = {},
): Promise<Actor | null> {
  const base = db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      companyId: companies.id,
      companyName: companies.name,
      membershipId: memberships.id,
      roleId: roles.id,
      roleName: roles.name,
      isOwner: roles.isOwner,
      permissions: roles.permissions,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(companies, eq(companies.id, memberships.companyId))
    .innerJoin(roles, eq(roles.id, memberships.roleId));
  let [row] = preferredCompanyId
    ? await base.where(and(eq(memberships.userId, userId), eq(memberships.companyId, preferredCompanyId))).limit(1)
    : [];
  if (!row && preferredCompanyId && options.strict) return null;
  if (!row) [row] = await base.where(eq(memberships.userId, userId)).orderBy(asc(memberships.createdAt)).limit(1);
  if (!row) return null;
  return {
    userId: row.userId,
    email: row.email,
    name: row.name,
    companyId: row.companyId,
    companyName: row.companyName,
    membershipId: row.membershipId,
    role: { id: row.roleId, name: row.roleName, isOwner: row.isOwner, permissions: row.permissions },
  };
}

export function can(actor: Actor, permission: Permission): boolean {
  return roleHasPermission(actor.role, permission);
}

/**
 * Nobody hands out more than they hold: a non-owner may only grant, assign or invite into
 * permissions their own role has. Owners hold everything.
 */
export function holdsAll(actor: Actor, permissions: readonly string[]): boolean {
  return actor.role.isOwner || permissions.every((p) => isPermission(p) && can(actor, p));
}
