import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { memberships, roles } from "@/db/schema";
import { changeMemberRole, removeMember } from "@/lib/actions/members";
import { createRole, deleteRole, setRolePermission } from "@/lib/actions/roles";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";

/**
 * Issue 13 item 4: nobody may change, remove or weaken anyone whose role holds a permission they
 * lack. A "Team lead" holding Manage Members and Manage Roles (but not Manage Webhooks) could move a
 * webhook engineer down to Member, remove them, and strip Manage Webhooks from their role — each
 * refused now, with the database unchanged; what the lead does hold, they still manage.
 */
const env = testEnvironment();
afterAll(() => env.close());

let company: Awaited<ReturnType<typeof makeCompany>>;
let lead: Awaited<ReturnType<typeof addMember>>;
let engineer: Awaited<ReturnType<typeof addMember>>;
let junior: Awaited<ReturnType<typeof addMember>>;
let leadRoleId: string;
let engineerRoleId: string;
let viewerRoleId: string;

async function role(name: string, permissions: string[]) {
  const res = await createRole.run(env.deps, company.owner, { name, permissions });
  if (!res.ok) throw new Error(res.error);
  return res.data.roleId;
}

async function roleOf(membershipId: string) {
  const [m] = await env.db
    .select({ roleId: memberships.roleId })
    .from(memberships)
    .where(eq(memberships.id, membershipId));
  return m?.roleId ?? null;
}

async function permissionsOf(roleId: string) {
  const [r] = await env.db.select({ permissions: roles.permissions }).from(roles).where(eq(roles.id, roleId));
  return [...r.permissions].sort();
}

beforeAll(async () => {
  company = await makeCompany(env.deps, "Stronger Members Co");
  leadRoleId = await role("Team lead", ["members.manage", "roles.manage"]);
  engineerRoleId = await role("Webhook engineer", ["webhooks.manage", "webhooks.view"]);
  viewerRoleId = await role("Viewer", ["webhooks.view"]);
  lead = await addMember(env.db, company.companyId, leadRoleId);
  engineer = await addMember(env.db, company.companyId, engineerRoleId);
  junior = await addMember(env.db, company.companyId, company.roles.Member.id);
});

describe("a member manager cannot touch someone stronger", () => {
  it("cannot demote a member whose role holds permissions they lack", async () => {
    const res = await changeMemberRole.run(env.deps, lead.caller, {
      membershipId: engineer.membershipId,
      roleId: company.roles.Member.id,
    });
    expect(res).toMatchObject({
      ok: false,
      code: "forbidden",
      error: "You cannot change the role of a member who holds permissions you don't have",
    });
    expect(await roleOf(engineer.membershipId)).toBe(engineerRoleId);
  });

  it("cannot remove them", async () => {
    const res = await removeMember.run(env.deps, lead.caller, { membershipId: engineer.membershipId });
    expect(res).toMatchObject({
      ok: false,
      code: "forbidden",
      error: "You cannot remove a member who holds permissions you don't have",
    });
    expect(await roleOf(engineer.membershipId)).toBe(engineerRoleId);
  });

  it("cannot weaken their role, nor revoke a permission they do not hold themselves, nor delete such a role", async () => {
    const strip = await setRolePermission.run(env.deps, lead.caller, {
      roleId: engineerRoleId,
      permission: "webhooks.manage",
      granted: false,
    });
    expect(strip).toMatchObject({ ok: false, code: "forbidden", error: "You can only revoke permissions you hold" });
    const viewer = await setRolePermission.run(env.deps, lead.caller, {
      roleId: viewerRoleId,
      permission: "webhooks.view",
      granted: false,
    });
    expect(viewer).toMatchObject({ ok: false, code: "forbidden" });
    expect(await permissionsOf(engineerRoleId)).toEqual(["webhooks.manage", "webhooks.view"]);
    expect(await permissionsOf(viewerRoleId)).toEqual(["webhooks.view"]);
    const gone = await deleteRole.run(env.deps, lead.caller, { roleId: viewerRoleId });
    expect(gone).toMatchObject({
      ok: false,
      code: "forbidden",
      error: "You cannot delete a role that holds permissions you don't have",
    });
  });

  it("still manages whom they are at least as strong as", async () => {
    expect(
      await changeMemberRole.run(env.deps, lead.caller, { membershipId: junior.membershipId, roleId: leadRoleId }),
    ).toMatchObject({ ok: true });
    expect(
      await changeMemberRole.run(env.deps, lead.caller, {
        membershipId: junior.membershipId,
        roleId: company.roles.Member.id,
      }),
    ).toMatchObject({ ok: true });
    expect(await removeMember.run(env.deps, lead.caller, { membershipId: junior.membershipId })).toMatchObject({
      ok: true,
    });
    // And the owner, who holds everything, still can.
    expect(
      await changeMemberRole.run(env.deps, company.owner, {
        membershipId: engineer.membershipId,
        roleId: viewerRoleId,
      }),
    ).toMatchObject({ ok: true });
  });
});
