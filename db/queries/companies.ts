import { and, asc, count, desc, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { apiKeys, auditLog, companies, invitations, memberships, roles, users } from "../schema";
import type { AuditAction } from "@/lib/audit";

export async function findUserByEmail(db: DbOrTx, email: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return row ?? null;
}

export async function listMembers(db: DbOrTx, companyId: string) {
  return db
    .select({
      membershipId: memberships.id,
      userId: users.id,
      name: users.name,
      email: users.email,
      roleId: roles.id,
      roleName: roles.name,
      isOwner: roles.isOwner,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(eq(memberships.companyId, companyId))
    .orderBy(asc(memberships.createdAt));
}

export async function getMembership(db: DbOrTx, companyId: string, membershipId: string) {
  const [row] = await db
    .select({
      id: memberships.id,
      userId: memberships.userId,
      roleId: memberships.roleId,
      isOwner: roles.isOwner,
      permissions: roles.permissions,
    })
    .from(memberships)
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(and(eq(memberships.companyId, companyId), eq(memberships.id, membershipId)));
  return row ?? null;
}

/** Owners are counted under a row lock on the company so two concurrent demotions cannot both pass. */
export async function countOwnersForUpdate(db: DbOrTx, companyId: string): Promise<number> {
  await db.select({ id: companies.id }).from(companies).where(eq(companies.id, companyId)).for("update");
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .innerJoin(roles, eq(roles.id, memberships.roleId))
    .where(and(eq(memberships.companyId, companyId), eq(roles.isOwner, true)));
  return row?.n ?? 0;
}

export async function listRoles(db: DbOrTx, companyId: string) {
  return db
    .select({
      id: roles.id,
      name: roles.name,
      isOwner: roles.isOwner,
      permissions: roles.permissions,
      // Qualified by hand: inside the subquery drizzle would render an unqualified "id", which is memberships.id.
      members: sql<number>`(select count(*)::int from "memberships" m where m."role_id" = "roles"."id")`,
    })
    .from(roles)
    .where(eq(roles.companyId, companyId))
    .orderBy(desc(roles.isOwner), asc(roles.createdAt));
}

export async function getRole(db: DbOrTx, companyId: string, roleId: string) {
  const [row] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.companyId, companyId), eq(roles.id, roleId)));
  return row ?? null;
}

export async function listPendingInvitations(db: DbOrTx, companyId: string) {
  return db
    .select({
      id: invitations.id,
      email: invitations.email,
      roleName: roles.name,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
    })
    .from(invitations)
    .innerJoin(roles, eq(roles.id, invitations.roleId))
    .where(and(eq(invitations.companyId, companyId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt));
}

export async function listApiKeys(db: DbOrTx, companyId: string) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
      createdAt: apiKeys.createdAt,
      createdBy: users.name,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .where(eq(apiKeys.companyId, companyId))
    .orderBy(desc(apiKeys.createdAt));
}

export async function listCompaniesOfUser(db: DbOrTx, userId: string) {
  return db
    .select({ id: companies.id, name: companies.name })
    .from(memberships)
    .innerJoin(companies, eq(companies.id, memberships.companyId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt));
}

export async function recordAudit(
  db: DbOrTx,
  entry: {
    companyId: string;
    actorUserId: string | null;
    action: AuditAction;
    targetType: string;
    targetId?: string | null;
    details?: Record<string, unknown>;
  },
) {
  await db.insert(auditLog).values({ ...entry, targetId: entry.targetId ?? null, details: entry.details ?? {} });
}
