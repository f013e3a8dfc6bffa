import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { deliveries, events, notifications } from "@/db/schema";
import { addMember, makeCompany, testEnvironment, uniqueEmail } from "@/tests/helpers";
import type { Caller } from "@/lib/action";
import { ACTIONS, type ActionName } from "./registry";

const env = testEnvironment();
afterAll(() => env.close());

type World = Awaited<ReturnType<typeof buildWorld>>;

/** Two companies, A and B. A has a second member without any permission, an invitation, a custom role and an API key.
 * */
async function buildWorld() {
  const a = await makeCompany(env.deps, "Company A");
  const b = await makeCompany(env.deps, "Company B");
  const member = await addMember(env.db, a.companyId, a.roles.Member.id);
  const admin = await addMember(env.db, a.companyId, a.roles.Admin.id);
  const invite = await ACTIONS.inviteMember.run(env.deps, a.owner, {
    email: uniqueEmail("invitee"),
    roleId: a.roles.Member.id,
  });
  const role = await ACTIONS.createRole.run(env.deps, a.owner, { name: "Spare", permissions: [] });
  const key = await ACTIONS.createApiKey.run(env.deps, a.owner, { name: "CI" });
  const hook = await ACTIONS.createWebhook.run(env.deps, a.owner, webhookInput("Orders"));
  const doomed = await ACTIONS.createWebhook.run(env.deps, a.owner, webhookInput("To delete"));
  const recovering = await ACTIONS.createWebhook.run(env.deps, a.owner, {
    ...webhookInput("Recovering"),
    active: true,
  });
  if (!recovering.ok) throw new Error("world setup failed: recovering webhook");
  const cred = await ACTIONS.createOAuthCredential.run(env.deps, a.owner, credentialInput("CRM"));
  const spareCred = await ACTIONS.createOAuthCredential.run(env.deps, a.owner, credentialInput("Spare"));
  for (const type of ["ticket.escalated", "ticket.spare"]) {
    const made = await ACTIONS.createEventType.run(env.deps, a.owner, {
      type,
      label: type,
      module: "ticket",
      sample: { id: "t1" },
    });
    if (!made.ok) throw new Error("world setup failed: event type");
  }
  const codeCred = await ACTIONS.createOAuthCredential.run(env.deps, a.owner, {
    name: "Connect me",
    grantType: "authorization_code",
    tokenUrl: "http://127.0.0.1:9/token",
    authorizeUrl: "http://127.0.0.1:9/authorize",
    clientId: "abc",
  });
  if (!invite.ok || !role.ok || !key.ok || !hook.ok || !doomed.ok || !cred.ok || !spareCred.ok || !codeCred.ok)
    throw new Error("world setup failed");
  const [event] = await env.db
    .insert(events)
    .values({
      companyId: a.companyId,
      externalId: "evt_world",
      type: "deal.updated",
      occurredAt: new Date(),
      data: { id: "d1" },
    })
    .returning();
  const [delivery] = await env.db
    .insert(deliveries)
    .values({
      companyId: a.companyId,
      webhookId: hook.data.webhookId,
      eventId: event.id,
      status: "failed",
      attempts: 1,
    })
    .returning();
  const [email] = await env.db
    .insert(notifications)
    .values({
      companyId: a.companyId,
      kind: "invitation",
      toEmail: uniqueEmail("mailed"),
      subject: "Join A",
      html: "<p>Join</p>",
      text: "Join",
      status: "failed",
      error: "boom",
    })
    .returning();
  return {
    a,
    b,
    member,
    admin,
    invitationId: invite.data.invitationId,
    spareRoleId: role.data.roleId,
    apiKeyId: key.data.apiKeyId,
    webhookId: hook.data.webhookId,
    doomedWebhookId: doomed.data.webhookId,
    recoveringWebhookId: recovering.data.webhookId,
    credentialId: cred.data.credentialId,
    spareCredentialId: spareCred.data.credentialId,
    codeCredentialId: codeCred.data.credentialId,
    deliveryId: delivery.id,
    notificationId: email.id,
  };
}

function webhookInput(name: string) {
  return {
    name,
    eventType: "deal.updated",
    url: "http://127.0.0.1:9/hook",
    headers: [{ name: "X-Source", value: "hookrelay" }],
  };
}

function credentialInput(name: string) {
  return {
    name,
    tokenUrl: "http://127.0.0.1:9/token",
    parameters: [
      { name: "client_id", value: "abc" },
      { name: "client_secret", value: "s3cret-value" },
    ],
  };
}

/** Valid input for each guarded action, aimed at company A's rows. Public actions are listed as such. */
const TARGETS: Record<ActionName, ((w: World) => unknown) | "public"> = {
  signUp: "public",
  acceptInvitation: "public",
  switchCompany: (w) => ({ companyId: w.a.companyId }),
  inviteMember: (w) => ({ email: uniqueEmail("x"), roleId: w.a.roles.Member.id }),
  revokeInvitation: (w) => ({ invitationId: w.invitationId }),
  changeMemberRole: (w) => ({ membershipId: w.admin.membershipId, roleId: w.a.roles.Member.id }),
  removeMember: (w) => ({ membershipId: w.admin.membershipId }),
  createRole: () => ({ name: "Escalated", permissions: ["webhooks.manage"] }),
  setRolePermission: (w) => ({ roleId: w.a.roles.Member.id, permission: "webhooks.manage", granted: true }),
  deleteRole: (w) => ({ roleId: w.spareRoleId }),
  createApiKey: () => ({ name: "Sneaky" }),
  revokeApiKey: (w) => ({ apiKeyId: w.apiKeyId }),
  updateCompanySettings: (w) => ({
    companyId: w.a.companyId,
    name: "A renamed",
    retentionDays: 7,
    autoDisableAfterHours: 48,
    dailyCallLimit: null,
  }),
  resendEmail: (w) => ({ notificationId: w.notificationId }),
  createWebhook: () => webhookInput("Sneaky"),
  updateWebhook: (w) => ({ ...webhookInput("Renamed"), webhookId: w.webhookId, url: "http://127.0.0.1:9/elsewhere" }),
  duplicateWebhook: (w) => ({ webhookId: w.webhookId }),
  setWebhookActive: (w) => ({ webhookId: w.webhookId, active: true }),
  rotateSigningSecret: (w) => ({ webhookId: w.webhookId }),
  testWebhookDraft: (w) => ({ webhookId: w.webhookId, config: webhookInput("Draft") }),
  previewWebhookBody: () => ({
    draft: {
      eventType: "deal.updated",
      method: "POST",
      body: { mode: "fields", encoding: "json", fields: [{ path: "id" }] },
    },
  }),
  deleteWebhook: (w) => ({ webhookId: w.doomedWebhookId }),
  createOAuthCredential: () => credentialInput("Sneaky"),
  updateOAuthCredential: (w) => ({ ...credentialInput("Renamed"), credentialId: w.credentialId }),
  testOAuthCredential: (w) => ({ credentialId: w.credentialId }),
  deleteOAuthCredential: (w) => ({ credentialId: w.spareCredentialId }),
  startOAuthConnect: (w) => ({ credentialId: w.codeCredentialId }),
  listWebhooksAction: () => ({ q: "Orders" }),
  getWebhook: (w) => ({ webhookId: w.webhookId }),
  listOAuthCredentialsAction: () => ({}),
  getOAuthCredential: (w) => ({ credentialId: w.credentialId }),
  listDeliveries: (w) => ({ webhookId: w.webhookId, status: "failed" }),
  resendDelivery: (w) => ({ deliveryId: w.deliveryId }),
  retryFailedDeliveries: (w) => ({ webhookId: w.webhookId, period: "all" }),
  recoverWebhook: (w) => ({ webhookId: w.recoveringWebhookId, since: "2026-01-01T00:00:00Z" }),
  sendTestEvent: () => ({ type: "deal.updated", data: JSON.stringify({ id: "d_test", stage: "Won" }) }),
  listEventTypes: () => ({}),
  createEventType: () => ({ type: "ticket.escalated_new", label: "Escalated", module: "ticket", sample: { id: "t1" } }),
  updateEventType: () => ({
    type: "ticket.escalated",
    label: "Escalated again",
    module: "ticket",
    sample: { id: "t1" },
  }),
  deprecateEventType: () => ({ type: "ticket.escalated", deprecated: true }),
  deleteEventType: () => ({ type: "ticket.spare" }),
};

const TENANT_TABLES = [
  "companies",
  "roles",
  "memberships",
  "invitations",
  "api_keys",
  "notifications",
  "webhooks",
  "oauth_credentials",
  "oauth_authorizations",
  "audit_log",
  "events",
  "deliveries",
  "bulk_retries",
  "company_event_types",
];

/** Everything stored for the two companies (and their users), to compare before and after. */
async function snapshot(w: World): Promise<string> {
  const ids = [w.a.companyId, w.b.companyId];
  const parts: unknown[] = [];
  for (const table of TENANT_TABLES) {
    const col = table === "companies" ? "id" : "company_id";
    const rows = await env.db.execute(
      sql`select * from ${sql.identifier(table)} where ${sql.identifier(col)} in (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) order by id`,
    );
    parts.push(rows);
  }
  parts.push(await env.db.execute(sql`select count(*)::int as n from users`));
  parts.push(
    await env.db.execute(sql`select count(*)::int as n from pgboss.job where data->>'deliveryId' = ${w.deliveryId}`),
  );
  return JSON.stringify(parts);
}

let world: World;
beforeAll(async () => {
  world = await buildWorld();
});

describe("every action is in the authorization table", () => {
  it("lists exactly the registered actions", () => {
    expect(Object.keys(TARGETS).sort()).toEqual(Object.keys(ACTIONS).sort());
  });
});

const guarded = (Object.keys(ACTIONS) as ActionName[]).filter((n) => TARGETS[n] !== "public");

describe.each(guarded)("%s", (name) => {
  const action = ACTIONS[name];
  const input = () => (TARGETS[name] as (w: World) => unknown)(world);

  async function expectRefused(caller: Caller, codes: string[]) {
    const before = await snapshot(world);
    const result = await action.run(env.deps, caller, input());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(codes).toContain(result.code);
    expect(await snapshot(world)).toBe(before);
  }

  it("is refused without a session", async () => {
    await expectRefused({ userId: null }, ["unauthenticated"]);
  });

  it("is refused for a member lacking the permission", async () => {
    if (action.access === "member") return expectRefused(world.b.owner, ["not_found"]);
    await expectRefused(world.member.caller, ["forbidden"]);
  });

  it("is refused with another company's ids", async () => {
    // B's owner holds every permission, but in company B: A's rows are not found there. Actions
    // that name no row (they create, or list) take the company from the session, so for them
    // "A's id" is company A.
    const createsOnly = [
      "createRole",
      "createApiKey",
      "createWebhook",
      "createOAuthCredential",
      "listWebhooksAction",
      "listOAuthCredentialsAction",
      "sendTestEvent",
      "previewWebhookBody",
      "listEventTypes",
      "createEventType",
    ].includes(name);
    await expectRefused(createsOnly ? { ...world.b.owner, companyId: world.a.companyId } : world.b.owner, [
      "not_found",
      "forbidden",
    ]);
  });

  it("is refused when the session points at a company the caller is not in", async () => {
    await expectRefused({ userId: world.b.owner.userId, companyId: world.a.companyId }, ["forbidden", "not_found"]);
  });
});

describe("the same calls succeed for A's owner (the refusals above are real)", () => {
  it.each(guarded)("%s", async (name) => {
    const result = await ACTIONS[name].run(env.deps, world.a.owner, (TARGETS[name] as (w: World) => unknown)(world));
    expect(result).toMatchObject({ ok: true });
  });
});
