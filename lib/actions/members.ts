import { and, eq, isNull } from "drizzle-orm";
import { companies, invitations, memberships } from "@/db/schema";
import { countOwnersForUpdate, getMembership, getRole, listMembers, recordAudit } from "@/db/queries/companies";
import { ActionError, defineAction, ok } from "@/lib/action";
import { holdsAll } from "@/lib/authz";
import { hashToken, randomToken } from "@/lib/crypto";
import { invitationEmail } from "@/lib/email";
import { appUrl } from "@/lib/env";
import { enqueueEmail } from "@/lib/outbox";
import { endAllSessions } from "@/db/queries/accounts";
import {
  changeMemberRoleSchema,
  invitationIdSchema,
  inviteMemberSchema,
  membershipIdSchema,
} from "@/lib/validations/settings";

const INVITATION_DAYS = 7;

/**
 * Invites someone by email with a role. The email (with the one-time link) is recorded in the
 * outbox and its sending queued in the same transaction as the invitation.
 */
export const inviteMember = defineAction({
  name: "inviteMember",
  access: "members.manage",
  schema: inviteMemberSchema,
  async handler({ db, boss, actor }, input) {
    const role = await getRole(db, actor.companyId, input.roleId);
    if (!role)
      throw new ActionError("not_found", "That role does not exist in your company", {
        roleId: ["Choose one of your company's roles"],
      });
    if (role.isOwner && !actor.role.isOwner) {
      throw new ActionError("forbidden", "Only owners can invite owners", {
        roleId: ["Only owners can invite someone as Owner"],
      });
    }
    if (!holdsAll(actor, role.permissions)) {
      throw new ActionError("forbidden", "You can only invite people into roles whose permissions you hold", {
        roleId: ["This role holds permissions you don't have"],
      });
    }
    const members = await listMembers(db, actor.companyId);
    if (members.some((m) => m.email.toLowerCase() === input.email)) {
      throw new ActionError("conflict", "This person is already a member", {
        email: ["This person is already a member of your company"],
      });
    }
    const token = randomToken(32);
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
    const acceptUrl = `${appUrl()}/invite/${token}`;
    const [company] = await db
      .select({ name: companies.name })
      .from(companies)
      .where(eq(companies.id, actor.companyId));
    const sender = await boss();
    const invitation = await db.transaction(async (tx) => {
      // A new invitation for the same email replaces the pending one.
      await tx
        .update(invitations)
        .set({ revokedAt: new Date() })
        .where(
          and(
            eq(invitations.companyId, actor.companyId),
            eq(invitations.email, input.email),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
          ),
        );
      const [row] = await tx
        .insert(invitations)
        .values({
          companyId: actor.companyId,
          email: input.email,
          roleId: role.id,
          tokenHash: hashToken(token),
          invitedBy: actor.userId,
          expiresAt,
        })
        .returning();
      await enqueueEmail(tx, sender, {
        companyId: actor.companyId,
        kind: "invitation",
        // The outbox tells from the invitation whom it may show this email to (lib/outbox.ts).
        refId: row.id,
        toEmail: input.email,
        email: invitationEmail({
          companyName: company.name,
          inviterName: actor.name,
          roleName: role.name,
          acceptUrl,
          expiresAt,
        }),
      });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "invitation.created",
        targetType: "invitation",
        targetId: row.id,
        details: { email: input.email, role: role.name },
      });
      return row;
    });
    return ok({ invitationId: invitation.id, acceptUrl }, `Invitation sent to ${input.email}`);
  },
});

export const revokeInvitation = defineAction({
  name: "revokeInvitation",
  access: "members.manage",
  schema: invitationIdSchema,
  async handler({ db, actor }, input) {
    const revoked = await db
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitations.companyId, actor.companyId),
          eq(invitations.id, input.invitationId),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ id: invitations.id, email: invitations.email });
    if (revoked.length === 0) throw new ActionError("not_found", "Invitation not found");
    await recordAudit(db, {
      companyId: actor.companyId,
      actorUserId: actor.userId,
      action: "invitation.revoked",
      targetType: "invitation",
      targetId: input.invitationId,
    });
    return ok(null, `Invitation for ${revoked[0].email} revoked`);
  },
});

/** Owners are protected: only an owner changes an owner, and the last owner stays an owner. */
export const changeMemberRole = defineAction({
  name: "changeMemberRole",
  access: "members.manage",
  schema: changeMemberRoleSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const member = await getMembership(tx, actor.companyId, input.membershipId);
      if (!member) throw new ActionError("not_found", "Member not found");
      const role = await getRole(tx, actor.companyId, input.roleId);
      if (!role)
        throw new ActionError("not_found", "That role does not exist in your company", {
          roleId: ["Choose one of your company's roles"],
        });
      if ((member.isOwner || role.isOwner) && !actor.role.isOwner)
        throw new ActionError("forbidden", "Only owners can change who is an owner");
      if (!actor.role.isOwner && member.id === actor.membershipId)
        throw new ActionError("forbidden", "You cannot change your own role");
      // Nobody changes the role of someone whose role holds a permission they lack.
      if (!holdsAll(actor, member.permissions))
        throw new ActionError(
          "forbidden",
          "You cannot change the role of a member who holds permissions you don't have",
        );
      if (!holdsAll(actor, role.permissions))
        throw new ActionError("forbidden", "You can only assign roles whose permissions you hold", {
          roleId: ["This role holds permissions you don't have"],
        });
      if (member.isOwner && !role.isOwner && (await countOwnersForUpdate(tx, actor.companyId)) <= 1) {
        throw new ActionError("conflict", "The last owner cannot be demoted: make someone else an owner first");
      }
      await tx.update(memberships).set({ roleId: role.id }).where(eq(memberships.id, member.id));
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "member.role_changed",
        targetType: "membership",
        targetId: member.id,
        details: { role: role.name },
      });
      return ok(null, `Role changed to ${role.name}`);
    });
  },
});

export const removeMember = defineAction({
  name: "removeMember",
  access: "members.manage",
  schema: membershipIdSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const member = await getMembership(tx, actor.companyId, input.membershipId);
      if (!member) throw new ActionError("not_found", "Member not found");
      if (member.isOwner && !actor.role.isOwner) throw new ActionError("forbidden", "Only owners can remove an owner");
      // Nobody removes someone whose role holds a permission they lack.
      if (!holdsAll(actor, member.permissions))
        throw new ActionError("forbidden", "You cannot remove a member who holds permissions you don't have");
      if (member.isOwner && (await countOwnersForUpdate(tx, actor.companyId)) <= 1) {
        throw new ActionError("conflict", "The last owner cannot be removed");
      }
      await tx.delete(memberships).where(eq(memberships.id, member.id));
      // Whoever is removed is signed out at once, everywhere (not when their session would expire).
      await endAllSessions(tx, member.userId);
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "member.removed",
        targetType: "membership",
        targetId: member.id,
        details: { userId: member.userId },
      });
      return ok(null, "Member removed");
    });
  },
});
