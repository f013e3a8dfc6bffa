import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRole } from "@/lib/actions/roles";
import { inviteMember } from "@/lib/actions/members";
import { resendEmail } from "@/lib/actions/company";
import { loadActor } from "@/lib/authz";
import { loadOutbox } from "@/lib/outbox";
import { addMember, makeCompany, testEnvironment, uniqueEmail } from "@/tests/helpers";

/**
 * Issue 13 item 1: a non-owner became Owner through the outbox. An "Office manager" holding only
 * Manage Company read Settings → Email outbox, which showed the full text of an Owner invitation
 * with its working link. Now the outbox never shows a working link (masked: the recipient's mailbox
 * is the only place it lives), an invitation is listed and resent only for someone who could have
 * issued it, and the page reads exactly what loadOutbox returns.
 */
const env = testEnvironment();
let company: Awaited<ReturnType<typeof makeCompany>>;
let manager: Awaited<ReturnType<typeof addMember>>;
const ownerInvitee = uniqueEmail("future-owner");
const memberInvitee = uniqueEmail("future-member");

beforeAll(async () => {
  process.env.RESEND_API_KEY = "re_outbox_test";
  company = await makeCompany(env.deps, "Outbox Co");
  const role = await createRole.run(env.deps, company.owner, {
    name: "Office manager",
    permissions: ["company.manage", "members.manage"],
  });
  if (!role.ok) throw new Error(role.error);
  manager = await addMember(env.db, company.companyId, role.data.roleId);
  for (const [email, roleId] of [
    [ownerInvitee, company.roles.Owner.id],
    [memberInvitee, company.roles.Member.id],
  ] as const) {
    const res = await inviteMember.run(env.deps, company.owner, { email, roleId });
    if (!res.ok) throw new Error(res.error);
  }
});
afterAll(async () => {
  delete process.env.RESEND_API_KEY;
  await env.close();
});

async function outboxFor(caller: { userId: string | null; companyId?: string | null }) {
  const actor = await loadActor(env.db, caller.userId!, caller.companyId);
  if (!actor) throw new Error("no actor");
  return loadOutbox(env.db, actor);
}

describe("the email outbox", () => {
  it("shows no working invitation link to anyone, owners included", async () => {
    for (const caller of [company.owner, manager.caller]) {
      const emails = await outboxFor(caller);
      expect(emails.length).toBeGreaterThan(0);
      for (const email of emails) {
        expect(email.text).not.toMatch(/\/invite\/[A-Za-z0-9_-]{20,}/);
        expect(email.html).not.toMatch(/\/invite\/[A-Za-z0-9_-]{20,}/);
      }
      const invite = emails.find((e) => e.toEmail === memberInvitee)!;
      expect(invite.text).toContain("/invite/•••••••• (the link is in the recipient's mailbox only)");
    }
  });

  it("lists an Owner invitation only to owners, and lets only them resend it", async () => {
    const mine = await outboxFor(manager.caller);
    expect(mine.map((e) => e.toEmail)).toContain(memberInvitee);
    expect(mine.map((e) => e.toEmail)).not.toContain(ownerInvitee);
    const owners = await outboxFor(company.owner);
    const ownerInvite = owners.find((e) => e.toEmail === ownerInvitee)!;
    expect(ownerInvite).toBeTruthy();

    // Wait until the send job has run (a queued email cannot be resent) by marking it as the worker would.
    const { markNotification } = await import("@/db/queries/notifications");
    await markNotification(env.db, ownerInvite.id, { status: "failed", error: "test" });
    const refused = await resendEmail.run(env.deps, manager.caller, { notificationId: ownerInvite.id });
    expect(refused).toMatchObject({ ok: false, code: "not_found" });
    expect(await resendEmail.run(env.deps, company.owner, { notificationId: ownerInvite.id })).toMatchObject({
      ok: true,
    });
  });
});
