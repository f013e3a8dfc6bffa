import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { memberships, notifications, users } from "@/db/schema";
import { loadActor } from "@/lib/authz";
import { can } from "@/lib/authz";
import { sendEmailJob } from "@/jobs/send-email";
import { addMember, makeCompany, testEnvironment, uniqueEmail } from "@/tests/helpers";
import { startResendStandIn } from "@/tests/resend-stand-in";
import { acceptInvitation } from "./account";
import { changeMemberRole, inviteMember, removeMember } from "./members";
import { setRolePermission } from "./roles";
import { signUp } from "./account";

const env = testEnvironment();
let resend: Awaited<ReturnType<typeof startResendStandIn>>;
beforeAll(async () => {
  resend = await startResendStandIn();
});
afterAll(async () => {
  await resend.close();
  await env.close();
});

function tokenOf(acceptUrl: string): string {
  return acceptUrl.split("/invite/")[1];
}

describe("sign up", () => {
  it("refuses a taken email (any case) and a weak password, naming the field", async () => {
    const email = uniqueEmail("taken");
    const first = await signUp.run(
      env.deps,
      { userId: null },
      { name: "A", email, password: "good-password-1", companyName: "X" },
    );
    expect(first.ok).toBe(true);
    const again = await signUp.run(
      env.deps,
      { userId: null },
      { name: "B", email: email.toUpperCase(), password: "good-password-1", companyName: "Y" },
    );
    expect(again).toMatchObject({
      ok: false,
      code: "conflict",
      fieldErrors: { email: [expect.stringContaining("already exists")] },
    });
    const weak = await signUp.run(
      env.deps,
      { userId: null },
      { name: "C", email: uniqueEmail(), password: "aaaaaaaaaaaa", companyName: "Z" },
    );
    expect(weak).toMatchObject({ ok: false, code: "invalid", fieldErrors: { password: expect.any(Array) } });
  });
});

describe("invitations", () => {
  it("records the email in the outbox with the link; without RESEND_API_KEY it stays recorded", async () => {
    delete process.env.RESEND_API_KEY;
    const a = await makeCompany(env.deps);
    const email = uniqueEmail("invitee");
    const res = await inviteMember.run(env.deps, a.owner, { email, roleId: a.roles.Member.id });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const [row] = await env.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.companyId, a.companyId), eq(notifications.toEmail, email)));
    expect(row.status).toBe("queued");
    expect(row.text).toContain(res.data.acceptUrl);
    expect(row.html).toContain(res.data.acceptUrl);
    await sendEmailJob(env.db, { notificationId: row.id });
    const [after] = await env.db.select().from(notifications).where(eq(notifications.id, row.id));
    expect(after.status).toBe("recorded");
  });

  it("sends through Resend (a local stand-in) when a key is set, and keeps provider errors visible", async () => {
    process.env.RESEND_API_KEY = "re_test_key";
    process.env.RESEND_BASE_URL = resend.url;
    try {
      const a = await makeCompany(env.deps);
      const email = uniqueEmail("mailed");
      const res = await inviteMember.run(env.deps, a.owner, { email, roleId: a.roles.Member.id });
      if (!res.ok) throw new Error(res.error);
      const [row] = await env.db.select().from(notifications).where(eq(notifications.toEmail, email));

      resend.failNext(1);
      await expect(sendEmailJob(env.db, { notificationId: row.id })).rejects.toThrow(/Invalid `to` field/);
      const [failed] = await env.db.select().from(notifications).where(eq(notifications.id, row.id));
      expect(failed).toMatchObject({ status: "failed", attempts: 1 });

      await sendEmailJob(env.db, { notificationId: row.id });
      const [sent] = await env.db.select().from(notifications).where(eq(notifications.id, row.id));
      expect(sent).toMatchObject({ status: "sent", providerId: expect.stringMatching(/^email_/), attempts: 2 });
      const got = resend.received.find((m) => m.to.includes(email));
      expect(got?.authorization).toBe("Bearer re_test_key");
      expect(got?.text).toContain(res.data.acceptUrl);
      expect(got?.subject).toContain("invited you");
    } finally {
      delete process.env.RESEND_API_KEY;
      delete process.env.RESEND_BASE_URL;
    }
  });

  it("joins the company with the invited role, once; a second use and a revoked link are refused", async () => {
    const a = await makeCompany(env.deps);
    const email = uniqueEmail("joiner");
    const res = await inviteMember.run(env.deps, a.owner, { email, roleId: a.roles.Member.id });
    if (!res.ok) throw new Error(res.error);
    const token = tokenOf(res.data.acceptUrl);
    const accepted = await acceptInvitation.run(
      env.deps,
      { userId: null },
      { token, name: "Jo Joiner", password: "joiner-pass-123" },
    );
    expect(accepted.ok).toBe(true);
    if (!accepted.ok) return;
    const actor = await loadActor(env.db, accepted.data.userId, a.companyId);
    expect(actor).toMatchObject({ companyId: a.companyId, role: { name: "Member" } });
    const again = await acceptInvitation.run(
      env.deps,
      { userId: null },
      { token, name: "Jo", password: "joiner-pass-123" },
    );
    expect(again).toMatchObject({ ok: false, code: "not_found" });
    const forged = await acceptInvitation.run(
      env.deps,
      { userId: null },
      { token: "x".repeat(43), name: "Jo", password: "joiner-pass-123" },
    );
    expect(forged).toMatchObject({ ok: false, code: "not_found" });
  });

  it("asks an existing user for their current password, then adds the second company", async () => {
    const a = await makeCompany(env.deps, "First");
    const b = await makeCompany(env.deps, "Second");
    const res = await inviteMember.run(env.deps, b.owner, { email: a.ownerEmail, roleId: b.roles.Admin.id });
    if (!res.ok) throw new Error(res.error);
    const token = tokenOf(res.data.acceptUrl);
    const wrong = await acceptInvitation.run(
      env.deps,
      { userId: null },
      { token, name: "x", password: "not-my-password-1" },
    );
    expect(wrong).toMatchObject({
      ok: false,
      fieldErrors: { password: [expect.stringContaining("current password")] },
    });
    const right = await acceptInvitation.run(
      env.deps,
      { userId: null },
      { token, name: "x", password: "correct-horse-9" },
    );
    expect(right).toMatchObject({ ok: true, data: { userId: a.owner.userId } });
    const rows = await env.db.select().from(memberships).where(eq(memberships.userId, a.owner.userId!));
    expect(rows.map((r) => r.companyId).sort()).toEqual([a.companyId, b.companyId].sort());
  });

  it("refuses to invite an existing member and lets only owners invite owners", async () => {
    const a = await makeCompany(env.deps);
    const dup = await inviteMember.run(env.deps, a.owner, { email: a.ownerEmail, roleId: a.roles.Member.id });
    expect(dup).toMatchObject({ ok: false, fieldErrors: { email: [expect.stringContaining("already a member")] } });
    const admin = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const escalate = await inviteMember.run(env.deps, admin.caller, { email: uniqueEmail(), roleId: a.roles.Owner.id });
    expect(escalate).toMatchObject({ ok: false, code: "forbidden" });
  });
});

describe("owners and roles", () => {
  it("never lets the last owner be demoted or removed, and only owners touch owners", async () => {
    const a = await makeCompany(env.deps);
    const ownerMembership = (await env.db.select().from(memberships).where(eq(memberships.userId, a.owner.userId!)))[0];
    expect(
      await changeMemberRole.run(env.deps, a.owner, { membershipId: ownerMembership.id, roleId: a.roles.Member.id }),
    ).toMatchObject({ ok: false, code: "conflict" });
    expect(await removeMember.run(env.deps, a.owner, { membershipId: ownerMembership.id })).toMatchObject({
      ok: false,
      code: "conflict",
    });
    const admin = await addMember(env.db, a.companyId, a.roles.Admin.id);
    expect(await removeMember.run(env.deps, admin.caller, { membershipId: ownerMembership.id })).toMatchObject({
      ok: false,
      code: "forbidden",
    });
    // With a second owner, the first may step down.
    const second = await addMember(env.db, a.companyId, a.roles.Owner.id);
    expect(
      await changeMemberRole.run(env.deps, a.owner, { membershipId: ownerMembership.id, roleId: a.roles.Admin.id }),
    ).toMatchObject({ ok: true });
    expect(await removeMember.run(env.deps, second.caller, { membershipId: second.membershipId })).toMatchObject({
      ok: false,
      code: "conflict",
    });
  });

  it("grants and revokes Manage Webhooks with effect on the next request", async () => {
    const a = await makeCompany(env.deps);
    const member = await addMember(env.db, a.companyId, a.roles.Member.id);
    const check = async () => can((await loadActor(env.db, member.user.id, a.companyId))!, "webhooks.manage");
    expect(await check()).toBe(false);
    expect(
      await setRolePermission.run(env.deps, a.owner, {
        roleId: a.roles.Member.id,
        permission: "webhooks.manage",
        granted: true,
      }),
    ).toMatchObject({ ok: true });
    expect(await check()).toBe(true);
    expect(
      await setRolePermission.run(env.deps, a.owner, {
        roleId: a.roles.Member.id,
        permission: "webhooks.manage",
        granted: false,
      }),
    ).toMatchObject({ ok: true });
    expect(await check()).toBe(false);
  });

  it("keeps the Owner role complete and stops non-owners from editing their own role", async () => {
    const a = await makeCompany(env.deps);
    expect(
      await setRolePermission.run(env.deps, a.owner, {
        roleId: a.roles.Owner.id,
        permission: "webhooks.manage",
        granted: false,
      }),
    ).toMatchObject({ ok: false, code: "conflict" });
    await setRolePermission.run(env.deps, a.owner, {
      roleId: a.roles.Admin.id,
      permission: "roles.manage",
      granted: true,
    });
    const admin = await addMember(env.db, a.companyId, a.roles.Admin.id);
    expect(
      await setRolePermission.run(env.deps, admin.caller, {
        roleId: a.roles.Admin.id,
        permission: "company.manage",
        granted: true,
      }),
    ).toMatchObject({ ok: false, code: "forbidden" });
    expect(
      await setRolePermission.run(env.deps, admin.caller, {
        roleId: a.roles.Member.id,
        permission: "webhooks.view",
        granted: true,
      }),
    ).toMatchObject({ ok: true });
  });

  it("returns every field error of an input, not only the first", async () => {
    const res = await signUp.run(
      env.deps,
      { userId: null },
      { name: "", email: "nope", password: "x", companyName: "" },
    );
    expect(res.ok).toBe(false);
    if (!res.ok)
      expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual(["companyName", "email", "name", "password"]);
    const count = await env.db.select().from(users).where(eq(users.email, "nope"));
    expect(count).toHaveLength(0);
  });
});

describe("role listing", () => {
  it("counts the members holding each role", async () => {
    const { listRoles } = await import("@/db/queries/companies");
    const a = await makeCompany(env.deps);
    await addMember(env.db, a.companyId, a.roles.Member.id);
    await addMember(env.db, a.companyId, a.roles.Member.id);
    const counts = Object.fromEntries((await listRoles(env.db, a.companyId)).map((r) => [r.name, r.members]));
    expect(counts).toEqual({ Owner: 1, Admin: 0, Member: 2 });
  });
});

describe("nobody hands out more than they hold", () => {
  it("stops an admin from escalating through their own role, invitations or role edits", async () => {
    const a = await makeCompany(env.deps);
    // Give Admin roles.manage so it can edit other roles (it holds members.manage already).
    await setRolePermission.run(env.deps, a.owner, {
      roleId: a.roles.Admin.id,
      permission: "roles.manage",
      granted: true,
    });
    const admin = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const { createRole } = await import("./roles");

    // Cannot grant a permission the admin lacks (company.manage) to another role or a new role.
    expect(
      await setRolePermission.run(env.deps, admin.caller, {
        roleId: a.roles.Member.id,
        permission: "company.manage",
        granted: true,
      }),
    ).toMatchObject({ ok: false, code: "forbidden" });
    expect(
      await createRole.run(env.deps, admin.caller, { name: "Super", permissions: ["company.manage"] }),
    ).toMatchObject({ ok: false, code: "forbidden" });

    // Cannot move themselves to another role, nor assign or invite into a role holding more.
    const created = await createRole.run(env.deps, a.owner, { name: "Company admin", permissions: ["company.manage"] });
    if (!created.ok) throw new Error(created.error);
    expect(
      await changeMemberRole.run(env.deps, admin.caller, {
        membershipId: admin.membershipId,
        roleId: a.roles.Member.id,
      }),
    ).toMatchObject({ ok: false, code: "forbidden" });
    const other = await addMember(env.db, a.companyId, a.roles.Member.id);
    expect(
      await changeMemberRole.run(env.deps, admin.caller, {
        membershipId: other.membershipId,
        roleId: created.data.roleId,
      }),
    ).toMatchObject({ ok: false, code: "forbidden" });
    expect(
      await inviteMember.run(env.deps, admin.caller, { email: uniqueEmail(), roleId: created.data.roleId }),
    ).toMatchObject({ ok: false, code: "forbidden" });

    // What they do hold, they may hand out.
    expect(
      await setRolePermission.run(env.deps, admin.caller, {
        roleId: a.roles.Member.id,
        permission: "webhooks.manage",
        granted: true,
      }),
    ).toMatchObject({ ok: true });
    expect(
      await changeMemberRole.run(env.deps, admin.caller, {
        membershipId: other.membershipId,
        roleId: a.roles.Admin.id,
      }),
    ).toMatchObject({ ok: true });
  });
});
