import { afterAll, describe, expect, it } from "vitest";
import type { JWT } from "next-auth/jwt";
import { closeDb } from "@/db";
import { stopWebBoss } from "@/jobs/boss";
import { changePassword, signOutEverywhere } from "@/lib/actions/account";
import { removeMember } from "@/lib/actions/members";
import { authConfig } from "@/lib/auth";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";

/**
 * Issue 13 item 7 (second part). Before: a session was a JWT holding only the user id, good for 30
 * days whatever happened — sign-out deleted the cookie, but a copy of it kept working; so did every
 * session after a password change or removal from the company. Now each JWT carries its own id and
 * the user's session version, and next-auth's jwt callback checks both against the database on
 * every request: a session it refuses is no session (the callback answers null).
 */
const env = testEnvironment();
afterAll(async () => {
  await stopWebBoss();
  await closeDb();
  await env.close();
});

const { jwt } = authConfig.callbacks;
type JwtArgs = Parameters<typeof jwt>[0];

/** What next-auth does at sign-in: the jwt callback with the user authorize returned. */
async function signedIn(userId: string, sessionVersion = 0): Promise<JWT> {
  const token = await jwt({ token: { sub: userId }, user: { id: userId, sessionVersion } } as unknown as JwtArgs);
  if (!token) throw new Error("sign-in gave no token");
  return token;
}

/** What next-auth does on every later request: the jwt callback with the cookie's token. */
async function stands(token: JWT): Promise<boolean> {
  return (await jwt({ token } as unknown as JwtArgs)) !== null;
}

async function versionOf(userId: string): Promise<number> {
  const rows = await env.db.execute<{ v: number }>(`select session_version as v from users where id = '${userId}'`);
  return Number(rows[0].v);
}

describe("sessions end when they should", () => {
  it("sign-out ends that session for good; the user's other sessions stay", async () => {
    const { owner } = await makeCompany(env.deps, "Sign Out Co");
    const laptop = await signedIn(owner.userId!);
    const phone = await signedIn(owner.userId!);
    expect(await stands(laptop)).toBe(true);
    // next-auth's sign-out event, as /api/auth/signout and our sign-out action raise it.
    await authConfig.events.signOut({ token: laptop } as never);
    expect(await stands(laptop)).toBe(false); // the copied cookie no longer works
    expect(await stands(phone)).toBe(true);
  });

  it("a password change ends every session", async () => {
    const { owner } = await makeCompany(env.deps, "New Password Co");
    const before = await signedIn(owner.userId!, await versionOf(owner.userId!));
    const res = await changePassword.run(env.deps, owner, {
      currentPassword: "correct-horse-9",
      newPassword: "battery-staple-7",
    });
    expect(res).toMatchObject({ ok: true });
    expect(await stands(before)).toBe(false);
    // The browser that changed it signs in again and gets a session under the new version.
    expect(await stands(await signedIn(owner.userId!, await versionOf(owner.userId!)))).toBe(true);
  });

  it("a wrong current password changes nothing and names the field", async () => {
    const { owner } = await makeCompany(env.deps, "Wrong Password Co");
    const session = await signedIn(owner.userId!, await versionOf(owner.userId!));
    const res = await changePassword.run(env.deps, owner, {
      currentPassword: "not-it-at-all-1",
      newPassword: "battery-staple-7",
    });
    expect(res).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { currentPassword: ["This is not your current password"] },
    });
    expect(await stands(session)).toBe(true);
  });

  it("removal from a company ends the removed member's sessions, not the remover's", async () => {
    const company = await makeCompany(env.deps, "Removal Co");
    const member = await addMember(env.db, company.companyId, company.roles.Member.id);
    const theirs = await signedIn(member.user.id, await versionOf(member.user.id));
    const mine = await signedIn(company.owner.userId!, await versionOf(company.owner.userId!));
    expect(await removeMember.run(env.deps, company.owner, { membershipId: member.membershipId })).toMatchObject({
      ok: true,
    });
    expect(await stands(theirs)).toBe(false);
    expect(await stands(mine)).toBe(true);
  });

  it("sign out everywhere ends every session of the user", async () => {
    const { owner } = await makeCompany(env.deps, "Everywhere Co");
    const a = await signedIn(owner.userId!, await versionOf(owner.userId!));
    const b = await signedIn(owner.userId!, await versionOf(owner.userId!));
    expect(await signOutEverywhere.run(env.deps, owner, {})).toMatchObject({ ok: true });
    expect(await stands(a)).toBe(false);
    expect(await stands(b)).toBe(false);
  });

  it("a JWT from before session versions (only a user id), or a forged version, is refused", async () => {
    const { owner } = await makeCompany(env.deps, "Old Token Co");
    expect(await stands({ sub: owner.userId! })).toBe(false);
    const real = await signedIn(owner.userId!, await versionOf(owner.userId!));
    expect(await stands({ ...real, sv: (real.sv as number) + 1 })).toBe(false);
    expect(await stands({ ...real, sub: "00000000-0000-4000-8000-000000000000" })).toBe(false);
  });
});
