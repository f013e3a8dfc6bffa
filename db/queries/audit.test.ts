import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { auditLog } from "@/db/schema";
import { auditDetailLines } from "@/components/settings/audit-entry";
import { AUDIT_ACTION_LABELS } from "@/lib/audit";
import { createApiKey, revokeApiKey } from "@/lib/actions/api-keys";
import { createEventType, deleteEventType, deprecateEventType, updateEventType } from "@/lib/actions/event-types";
import { removeMember } from "@/lib/actions/members";
import { createOAuthCredential, deleteOAuthCredential, updateOAuthCredential } from "@/lib/actions/oauth-credentials";
import { setRolePermission } from "@/lib/actions/roles";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { recordAudit } from "./companies";
import { decodeCursor, encodeCursor, type KeysetCursor } from "@/db/keyset";
import { AUDIT_TARGET_GROUPS, listAuditLog } from "./audit";

const env = testEnvironment();
afterAll(() => env.close());

const everything = Object.values(AUDIT_TARGET_GROUPS).flat();

/** Entries at chosen instants (microseconds given as text, so they are kept exactly). */
async function insertAt(
  companyId: string,
  entries: { at: string; action?: string; targetType?: string; name: string }[],
) {
  await env.db.insert(auditLog).values(
    entries.map((e) => ({
      companyId,
      actorUserId: null,
      action: e.action ?? "webhook.updated",
      targetType: e.targetType ?? "webhook",
      details: { name: e.name },
      createdAt: sql`${e.at}::timestamptz`,
    })),
  );
}

async function allPages(companyId: string, limit: number, targetTypes: readonly string[] = everything) {
  const names: string[][] = [];
  let after: KeysetCursor | null = null;
  for (let i = 0; i < 20; i++) {
    const page = await listAuditLog(env.db, companyId, { targetTypes, after, limit });
    names.push(page.entries.map((e) => e.targetName ?? ""));
    if (!page.older) break;
    after = decodeCursor(page.older);
  }
  return names;
}

describe("listAuditLog", () => {
  it("lists one company's entries, newest first, with the actor's name and email", async () => {
    const a = await makeCompany(env.deps, "Audited");
    const b = await makeCompany(env.deps, "Other");
    await recordAudit(env.db, {
      companyId: a.companyId,
      actorUserId: a.owner.userId,
      action: "role.created",
      targetType: "role",
      details: { name: "Support" },
    });
    await recordAudit(env.db, {
      companyId: b.companyId,
      actorUserId: b.owner.userId,
      action: "role.created",
      targetType: "role",
      details: { name: "B's role" },
    });
    await recordAudit(env.db, {
      companyId: a.companyId,
      actorUserId: null,
      action: "webhook.deactivated",
      targetType: "webhook",
      details: { name: "CRM sync" },
    });

    const page = await listAuditLog(env.db, a.companyId, { targetTypes: everything });
    expect(page.entries.map((e) => [e.action, e.targetName])).toEqual([
      ["webhook.deactivated", "CRM sync"],
      ["role.created", "Support"],
      ["company.created", "Audited"], // sign-up's own entry; the company's name is looked up
    ]);
    expect(page.entries[1].actor).toEqual({ name: "Olivia Owner", email: a.ownerEmail });
    expect(page.entries[0].actor).toBeNull();
    expect(page).toMatchObject({ newer: null, older: null });
  });

  it("filters by target type, and shows nothing for no target type", async () => {
    const a = await makeCompany(env.deps);
    await recordAudit(env.db, {
      companyId: a.companyId,
      actorUserId: a.owner.userId,
      action: "webhook.created",
      targetType: "webhook",
      details: { name: "W" },
    });
    await recordAudit(env.db, {
      companyId: a.companyId,
      actorUserId: a.owner.userId,
      action: "invitation.created",
      targetType: "invitation",
      details: { email: "x@example.test" },
    });
    await recordAudit(env.db, {
      companyId: a.companyId,
      actorUserId: a.owner.userId,
      action: "member.role_changed",
      targetType: "membership",
      details: { role: "Admin" },
    });

    const webhooksOnly = await listAuditLog(env.db, a.companyId, { targetTypes: ["webhook"] });
    expect(webhooksOnly.entries.map((e) => e.action)).toEqual(["webhook.created"]);
    const members = await listAuditLog(env.db, a.companyId, { targetTypes: AUDIT_TARGET_GROUPS.members });
    expect(members.entries.map((e) => e.action)).toEqual(["member.role_changed", "invitation.created"]);
    expect(members.entries[1].targetName).toBe("x@example.test");
    expect((await listAuditLog(env.db, a.companyId, { targetTypes: [] })).entries).toEqual([]);
  });

  it("pages by (created_at desc, id desc) without skipping entries of the same millisecond or microsecond", async () => {
    const a = await makeCompany(env.deps);
    await insertAt(a.companyId, [
      { at: "2030-01-01T00:00:00.000100Z", name: "e1" },
      { at: "2030-01-01T00:00:00.000200Z", name: "e2" }, // same millisecond as e1: a JS Date cursor would lose these
      { at: "2030-01-01T00:00:00.000300Z", name: "e3" },
      { at: "2030-01-01T00:00:01.000000Z", name: "tie-a" },
      { at: "2030-01-01T00:00:01.000000Z", name: "tie-b" },
      { at: "2030-01-01T00:00:01.000000Z", name: "tie-c" },
      { at: "2030-01-01T00:00:02.000000Z", name: "e7" },
    ]);
    const ties = (await env.db.execute<{ name: string }>(
      sql`select details->>'name' as name from audit_log where company_id = ${a.companyId} and details->>'name' like 'tie-%' order by id desc`,
    )) as unknown as { name: string }[];
    const expected = ["e7", ...ties.map((t) => t.name), "e3", "e2", "e1"];

    const pages = await allPages(a.companyId, 2, AUDIT_TARGET_GROUPS.webhooks);
    expect(pages.flat()).toEqual(expected);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);

    // Back from the third page: the second page again, with a way to the newest one.
    const first = await listAuditLog(env.db, a.companyId, { targetTypes: ["webhook"], limit: 2 });
    expect(first.newer).toBeNull();
    const second = await listAuditLog(env.db, a.companyId, {
      targetTypes: ["webhook"],
      limit: 2,
      after: decodeCursor(first.older),
    });
    const third = await listAuditLog(env.db, a.companyId, {
      targetTypes: ["webhook"],
      limit: 2,
      after: decodeCursor(second.older),
    });
    const backToSecond = await listAuditLog(env.db, a.companyId, {
      targetTypes: ["webhook"],
      limit: 2,
      before: decodeCursor(third.newer),
    });
    expect(backToSecond.entries.map((e) => e.id)).toEqual(second.entries.map((e) => e.id));
    expect(backToSecond.newer).not.toBeNull();
    const backToFirst = await listAuditLog(env.db, a.companyId, {
      targetTypes: ["webhook"],
      limit: 2,
      before: decodeCursor(backToSecond.newer),
    });
    expect(backToFirst.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    expect(backToFirst.newer).toBeNull();
  });

  it("pages 50 at a time by default", async () => {
    const a = await makeCompany(env.deps);
    await insertAt(
      a.companyId,
      Array.from({ length: 120 }, (_, i) => ({
        at: new Date(Date.UTC(2031, 0, 1) + i * 1000).toISOString(),
        name: `n${i}`,
      })),
    );
    const pages = await allPages(a.companyId, 50, ["webhook"]);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(pages[0][0]).toBe("n119");
    expect(pages[2].at(-1)).toBe("n0");
  });

  it("names the targets of real actions, also after they are gone, and never shows a secret", async () => {
    const a = await makeCompany(env.deps);
    const created = await createOAuthCredential.run(env.deps, a.owner, {
      name: "Partner OAuth",
      tokenUrl: "https://auth.example.test/token",
      method: "POST",
      parameters: [
        { name: "client_id", value: "abc", in: "body" },
        { name: "client_secret", value: "s3cr3t-value", in: "body" },
      ],
    });
    if (!created.ok) throw new Error(created.error);
    const credentialId = created.data.credentialId;
    const updated = await updateOAuthCredential.run(env.deps, a.owner, {
      credentialId,
      name: "Partner OAuth 2",
      tokenUrl: "https://auth.example.test/token",
      method: "POST",
      parameters: [
        { name: "client_id", value: "abc", in: "body" },
        { name: "client_secret", value: "", in: "body" },
      ],
    });
    expect(updated.ok).toBe(true);
    expect((await deleteOAuthCredential.run(env.deps, a.owner, { credentialId })).ok).toBe(true);

    const key = await createApiKey.run(env.deps, a.owner, { name: "Billing" });
    if (!key.ok) throw new Error(key.error);
    const [keyRow] = await env.db.execute<{ id: string }>(
      sql`select id from api_keys where company_id = ${a.companyId}`,
    );
    expect((await revokeApiKey.run(env.deps, a.owner, { apiKeyId: keyRow.id })).ok).toBe(true);

    const member = await addMember(env.db, a.companyId, a.roles.Member.id);
    expect((await removeMember.run(env.deps, a.owner, { membershipId: member.membershipId })).ok).toBe(true);
    expect(
      (
        await setRolePermission.run(env.deps, a.owner, {
          roleId: a.roles.Member.id,
          permission: "webhooks.view",
          granted: true,
        })
      ).ok,
    ).toBe(true);

    const page = await listAuditLog(env.db, a.companyId, { targetTypes: everything });
    const rows = page.entries.map((e) => [e.action, e.targetName, auditDetailLines(e)]);
    expect(rows).toEqual([
      ["role.permission_granted", "Member", ["Granted View Webhooks"]],
      ["member.removed", "Mo Member", []],
      ["api_key.revoked", "Billing", []],
      ["api_key.created", "Billing", [expect.stringMatching(/^Key hr_live_[\w-]+…$/)]],
      ["oauth_credential.deleted", "Partner OAuth 2", []],
      ["oauth_credential.updated", "Partner OAuth 2", [expect.stringMatching(/^Changed name/)]],
      [
        "oauth_credential.created",
        "Partner OAuth",
        ["https://auth.example.test/token", "Parameters: client_id, client_secret"],
      ],
      ["company.created", "Acme", []],
    ]);
    expect(JSON.stringify(page)).not.toContain("s3cr3t-value");
  });

  it("names a company event type's entries by the type, with its module and what the change means", async () => {
    const a = await makeCompany(env.deps, "Typed");
    const base = { type: "ticket.escalated", label: "Ticket escalated", module: "ticket", sample: { id: "t_1" } };
    expect((await createEventType.run(env.deps, a.owner, base)).ok).toBe(true);
    expect((await updateEventType.run(env.deps, a.owner, { ...base, module: "helpdesk" })).ok).toBe(true);
    expect((await deprecateEventType.run(env.deps, a.owner, { type: base.type, deprecated: true })).ok).toBe(true);
    expect((await deprecateEventType.run(env.deps, a.owner, { type: base.type, deprecated: false })).ok).toBe(true);
    expect((await deleteEventType.run(env.deps, a.owner, { type: base.type })).ok).toBe(true);

    const page = await listAuditLog(env.db, a.companyId, { targetTypes: AUDIT_TARGET_GROUPS.webhooks });
    expect(page.entries.map((e) => [e.action, e.targetName, auditDetailLines(e)])).toEqual([
      ["event_type.deleted", "ticket.escalated", ["Module helpdesk", "Its events are refused from now on"]],
      ["event_type.restored", "ticket.escalated", ["Module helpdesk", "Offered to new webhooks again"]],
      [
        "event_type.deprecated",
        "ticket.escalated",
        ["Module helpdesk", "New webhooks no longer offer it; its events are still accepted"],
      ],
      ["event_type.updated", "ticket.escalated", ["Module helpdesk"]],
      ["event_type.created", "ticket.escalated", ["Module ticket"]],
    ]);
  });

  it("reads only its own cursors", () => {
    const cursor = { at: "2030-01-01T00:00:00.000100Z", id: "0b6f7c1e-8f3a-4f6e-9a53-3a2f4c6f0e11" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const junk of [
      undefined,
      "",
      "2030-01-01~x",
      "2030-01-01T00:00:00Z~0b6f7c1e-8f3a-4f6e-9a53-3a2f4c6f0e11",
      ["a"],
      "x'; drop table audit_log",
    ]) {
      expect(decodeCursor(junk)).toBeNull();
    }
  });
});

describe("audit labels", () => {
  /** Every action string recorded in lib/actions and jobs, read from the sources. */
  function recordedActions(): { actions: Set<string>; targetTypes: Set<string> } {
    const root = path.resolve(import.meta.dirname, "../..");
    const actions = new Set<string>();
    const targetTypes = new Set<string>();
    for (const dir of ["lib/actions", "jobs"]) {
      for (const file of readdirSync(path.join(root, dir))) {
        if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
        const source = readFileSync(path.join(root, dir, file), "utf8");
        for (const m of source.matchAll(/\baction:\s*([^,\n]*?"[a-z_]+\.[a-z_]+"[^,\n]*)/g)) {
          for (const s of m[1].matchAll(/"([a-z_]+\.[a-z_]+)"/g)) actions.add(s[1]);
        }
        for (const m of source.matchAll(/\btargetType:\s*"([a-z_]+)"/g)) targetTypes.add(m[1]);
      }
    }
    return { actions, targetTypes };
  }

  it("has a label for every recorded action and a filter group for every target type", () => {
    const { actions, targetTypes } = recordedActions();
    expect(actions.size).toBeGreaterThan(15);
    expect([...actions].filter((a) => !Object.hasOwn(AUDIT_ACTION_LABELS, a))).toEqual([]);
    expect([...targetTypes].filter((t) => !everything.includes(t as never))).toEqual([]);
  });

  it("says what changed on a webhook", () => {
    const lines = auditDetailLines({
      action: "webhook.updated",
      sourceName: null,
      details: {
        name: "W",
        changes: {
          url: { from: "https://a.test", to: "https://b.test" },
          active: { from: false, to: true },
          sections: ["headers", "auth"],
          secretChanged: true,
        },
      },
    });
    expect(lines).toEqual([
      "URL: “https://a.test” → “https://b.test”",
      "active: off → on",
      "Changed headers",
      "auth secret changed",
    ]);
  });
});
