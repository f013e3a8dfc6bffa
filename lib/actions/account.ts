import type { DbOrTx } from "@/db";
import { and, eq, gt, isNull } from "drizzle-orm";
import { z } from "zod";
import { companies, invitations, memberships, roles, users } from "@/db/schema";
import { findUserByEmail, recordAudit } from "@/db/queries/companies";
import { ActionError, defineAction, ok } from "@/lib/action";
import { hashToken } from "@/lib/crypto";
import {
  claimPasswordReset,
  clearFailures,
  closePasswordResets,
  endAllSessions,
  failuresOf,
  findOpenPasswordReset,
  recordFailure,
} from "@/db/queries/accounts";
import { enqueue, passwordReset } from "@/jobs/definitions";
import { accountKey, REFUSE_AFTER_FAILURES, SIGN_IN_WINDOW_SECONDS, throttledMessage } from "@/lib/account-security";
import { hashPassword, verifyPassword } from "@/lib/passwords";
import { DEFAULT_ROLES } from "@/lib/permissions";
import {
  acceptInvitationSchema,
  changePasswordSchema,
  forgotPasswordSchema,
  resetPasswordSchema,
  signUpSchema,
  type ForgotPasswordInput,
} from "@/lib/validations/auth";
import type { ActionDeps, ActionResult } from "@/lib/action";
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
    const taken = () =>
      new ActionError("conflict", "An account with this email already exists", {
        email: ["An account with this email already exists — sign in instead"],
      });
    if (await findUserByEmail(db, input.email)) throw taken();
    const passwordHash = await hashPassword(input.password);
    try {
      const result = await db.transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({ email: input.email, name: input.name, passwordHash })
          .returning();
        const [company] = await tx.insert(companies).values({ name: input.companyName }).returning();
        const created = await tx
          .insert(roles)
          .values(
            DEFAULT_ROLES.map((r) => ({
              companyId: company.id,
              name: r.name,
              isOwner: r.isOwner,
              permissions: r.permissions,
            })),
          )
          .returning();
        const owner = created.find((r) => r.isOwner)!;
        await tx.insert(memberships).values({ companyId: company.id, userId: user.id, roleId: owner.id });
        await recordAudit(tx, {
          companyId: company.id,
          actorUserId: user.id,
          action: "company.created",
          targetType: "company",
          targetId: company.id,
        });
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
        : (
            await tx
              .insert(users)
              .values({ email: invitation.email, name: input.name, passwordHash: passwordHash! })
              .returning()
          )[0].id;
      await tx
        .insert(memberships)
        .values({ companyId: invitation.companyId, userId: uid, roleId: invitation.roleId })
        .onConflictDoNothing();
      await recordAudit(tx, {
        companyId: invitation.companyId,
        actorUserId: uid,
        action: "invitation.accepted",
        targetType: "invitation",
        targetId: invitation.id,
      });
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

/**
 * A new password for the signed-in user, who proves it is them with the current one (a wrong one
 * counts as a failed sign-in). Every session ends, this one included: the caller signs in again.
 */
export const changePassword = defineAction({
  name: "changePassword",
  access: "member",
  schema: changePasswordSchema,
  async handler({ db, actor }, input) {
    const [user] = await db.select().from(users).where(eq(users.id, actor.userId));
    // A stolen session cannot guess its way to the password either: the sign-in limit applies.
    const [count] = await failuresOf(db, [accountKey(user.email)], SIGN_IN_WINDOW_SECONDS);
    if (count && count.count >= REFUSE_AFTER_FAILURES) {
      const message = throttledMessage(Math.ceil((count.resetsAt.getTime() - Date.now()) / 1000));
      throw new ActionError("invalid", message, { currentPassword: [message] });
    }
    if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
      await recordFailure(db, [accountKey(user.email)], SIGN_IN_WINDOW_SECONDS);
      throw new ActionError("invalid", "Your current password is not right", {
        currentPassword: ["This is not your current password"],
      });
    }
    const passwordHash = await hashPassword(input.newPassword);
    await db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, actor.userId));
      await endAllSessions(tx, actor.userId);
      await closePasswordResets(tx, actor.userId);
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "account.password_changed",
        targetType: "membership",
        targetId: actor.membershipId,
      });
    });
    return ok({ email: user.email }, "Password changed: you were signed out everywhere else");
  },
});

/** Ends every session of the signed-in user, on every device. */
export const signOutEverywhere = defineAction({
  name: "signOutEverywhere",
  access: "member",
  schema: z.object({}),
  async handler({ db, actor }) {
    await endAllSessions(db, actor.userId);
    return ok(null, "Signed out everywhere");
  },
});

const RESET_WINDOW_SECONDS = 15 * 60;
/** Reset emails to one address, and requests from one client address, per 15 minutes. */
export const RESETS_PER_ACCOUNT = 3;
export const RESETS_PER_ADDRESS = 20;

/**
 * "Forgot password?": the same answer whether or not the address has an account, and whether or not
 * it is over its limit (a few emails per account and requests per client address in 15 minutes, so
 * nobody can flood a mailbox); the worker makes and sends the link (jobs/password-reset.ts).
 */
export async function requestPasswordReset(
  deps: ActionDeps,
  input: ForgotPasswordInput,
  address: string,
): Promise<ActionResult<null>> {
  const parsed = forgotPasswordSchema.safeParse(input);
  if (!parsed.success)
    return {
      ok: false,
      code: "invalid",
      error: "Enter a valid email address",
      fieldErrors: { email: ["Enter a valid email address"] },
    };
  const keys = [`reset:${parsed.data.email}`, `reset-address:${address}`];
  // One statement counts this request against both keys; within both limits, the link goes out.
  const counts = await recordFailure(deps.db, keys, RESET_WINDOW_SECONDS);
  const over = counts.some((c) => c.count > (c.key === keys[0] ? RESETS_PER_ACCOUNT : RESETS_PER_ADDRESS));
  if (!over) {
    await enqueue(await deps.boss(), deps.db, passwordReset, { email: parsed.data.email });
  }
  return ok(
    null,
    "If an account uses that address, a link to choose a new password is on its way. It works once, for one hour.",
  );
}

/**
 * A new password through a reset link: the link is used up, every other open link closes, every
 * session of the user ends, and the account's failed sign-ins are forgotten.
 */
export const resetPassword = defineAction({
  name: "resetPassword",
  access: "public",
  schema: resetPasswordSchema,
  async handler({ db }, input) {
    const reset = await findOpenPasswordReset(db, hashToken(input.token));
    const gone = () =>
      new ActionError("not_found", "This reset link is invalid, was used already or has expired: ask for a new one");
    if (!reset) throw gone();
    const passwordHash = await hashPassword(input.password);
    await db.transaction(async (tx) => {
      if (!(await claimPasswordReset(tx, reset.id))) throw gone();
      await tx.update(users).set({ passwordHash }).where(eq(users.id, reset.userId));
      await closePasswordResets(tx, reset.userId);
      await endAllSessions(tx, reset.userId);
      await clearFailures(tx, accountKey(reset.email));
    });
    return ok({ email: reset.email }, "Password changed");
  },
});
