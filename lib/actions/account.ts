import type { DbOrTx } from "@/db";
import { and, eq, gt, isNull } from "drizzle-orm";
import { companies, invitations, memberships, roles, users } from "@/db/schema";
import { findUserByEmail, recordAudit } from "@/db/queries/companies";
import { ActionError, defineAction, ok } from "@/lib/action";
import { hashToken } from "@/lib/crypto";
import { hashPassword, verifyPassword } from "@/lib/passwords";
import { DEFAULT_ROLES } from "@/lib/permissions";
import { acceptInvitationSchema, signUpSchema } from "@/lib/validations/auth";
import { switchCompanySchema } from "@/lib/validations/settings";

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

/** Sign up: the user, their company, its default roles (Owner, Admin, Member) and an Owner membership. */
export const signUp = defineAction({
  name: "signUp",
  access: "public",
  schema: signUpSchema,
  async handler({ db }, input) {
    const taken = () => new ActionError("conflict", "An account with this email already exists", { email: ["An account with this email already exists — sign in instead"] });
    if (await findUserByEmail(db, input.email)) throw taken();
    const passwordHash = await hashPassword(input.password);
    try {
      const result = await db.transaction(async (tx) => {
        const [user] = await tx.insert(users).values({ email: input.email, name: input.name, passwordHash }).returning();
        const [company] = await tx.insert(companies).values({ name: input.companyName }).returning();
        const created = await tx
          .insert(roles)
          .values(DEFAULT_ROLES.map((r) => ({ companyId: company.id, name: r.name, isOwner: r.isOwner, permissions: r.permissions })))
          .returning();
        const owner = created.find((r) => r.isOwner)!;
        await tx.insert(memberships).values({ companyId: company.id, userId: user.id, roleId: owner.id });
        await recordAudit(tx, { companyId: company.id, actorUserId: user.id, action: "company.created", targetType: "company", targetId: company.id });
        return { userId: user.id, companyId: company.id };
      });
      return ok(result);
    } catch (err) {
      if (isUniqueViolation(err)) throw taken();
      throw err;
    }
  },
});

/** Looks an invitation up by its token: only pending, unexpired ones count. */
export async function findOpenInvitation(db: DbOrTx, token: string) {
  const [row] = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      companyId: invitations.companyId,
      companyName: companies.name,
      roleId: invitations.roleId,
      roleName: roles.name,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .innerJoin(companies, eq(companies.id, invitations.companyId))
    .innerJoin(roles, eq(roles.id, invitations.roleId))
    .where(
      and(
        eq(invitations.tokenHash, hashToken(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    );
  return row ?? null;
}

/**
 * Accepting an invitation: a new person sets their name and password; someone who already has an
 * account proves it with their current password. Either way they join with the invited role.
 */
export const acceptInvitation = defineAction({
  name: "acceptInvitation",
  access: "public",
  schema: acceptInvitationSchema,
  async handler({ db }, input) {
    const invitation = await findOpenInvitation(db, input.token);
    if (!invitation) throw new ActionError("not_found", "This invitation link is invalid, was revoked or has expired");
    const existing = await findUserByEmail(db, invitation.email);
    if (existing && !(await verifyPassword(input.password, existing.passwordHash))) {
      throw new ActionError("invalid", "You already have an account: enter its password to join", {
        password: ["You already have an account with this email: enter its current password"],
      });
    }
    const passwordHash = existing ? null : await hashPassword(input.password);
    const userId = await db.transaction(async (tx) => {
      // Claim the invitation first so the same link cannot be used twice concurrently.
      const claimed = await tx
        .update(invitations)
        .set({ acceptedAt: new Date() })
        .where(and(eq(invitations.id, invitation.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
        .returning({ id: invitations.id });
      if (claimed.length === 0) throw new ActionError("conflict", "This invitation was already used");
      const uid = existing
        ? existing.id
        : (await tx.insert(users).values({ email: invitation.email, name: input.name, passwordHash: passwordHash! }).returning())[0].id;
      await tx
        .insert(memberships)
        .values({ companyId: invitation.companyId, userId: uid, roleId: invitation.roleId })
        .onConflictDoNothing();
      await recordAudit(tx, { companyId: invitation.companyId, actorUserId: uid, action: "invitation.accepted", targetType: "invitation", targetId: invitation.id });
      return uid;
    });
    return ok({ userId, email: invitation.email, companyId: invitation.companyId });
  },
});

/** Switching the active company checks the membership again (loadActor falls back otherwise). */
export const switchCompany = defineAction({
  name: "switchCompany",
  access: "member",
  schema: switchCompanySchema,
  async handler({ db, actor }, input) {
    const [row] = await db
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.userId, actor.userId), eq(memberships.companyId, input.companyId)));
    if (!row) throw new ActionError("not_found", "You are not a member of that company");
    return ok({ companyId: input.companyId });
  },
});
