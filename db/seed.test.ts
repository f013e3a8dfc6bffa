import { afterAll, describe, expect, it } from "vitest";
import { asc, eq, inArray, sql } from "drizzle-orm";
import { companies, deliveries, deliveryAttempts, events, memberships, users, webhooks } from "./schema";
import { DEMO_WEBHOOKS, seedDemoWebhooks } from "@/lib/demo-webhooks";
import { generateApiKey } from "@/lib/api-auth";
import { hashPassword, verifyPassword } from "@/lib/passwords";
import { DEFAULT_ROLES } from "@/lib/permissions";
import { loadActor, can } from "@/lib/authz";
import { testEnvironment } from "@/tests/helpers";
import { readExtendedXml } from "@/tests/strict-xml";
import { DEMO, seedDemo } from "./seed";

const env = testEnvironment();
afterAll(() => env.close());

describe("npm run seed", () => {
  it("creates the demo company once; a second run duplicates nothing", async () => {
    const deps = { hashPassword, generateApiKey, defaultRoles: DEFAULT_ROLES, seedWebhooks: seedDemoWebhooks };
    const first = await seedDemo(env.db, deps);
    expect(first.created).toBe(true);
    expect(first.apiKey).toMatch(/^hr_live_/);
    expect(first.webhooks).toBe(DEMO_WEBHOOKS.length);
    const counts = async () =>
      Promise.all(
        [webhooks, events, deliveries].map(
          async (t) => (await env.db.select().from(t).where(eq(t.companyId, first.companyId))).length,
        ),
      );
    const before = await counts();
    const second = await seedDemo(env.db, deps);
    expect(second).toEqual({ companyId: first.companyId, apiKey: null, created: false, webhooks: 0 });
    expect(await counts()).toEqual(before);

    const demoCompanies = await env.db.select().from(companies).where(eq(companies.name, DEMO.company));
    expect(demoCompanies).toHaveLength(1);
    const owners = await env.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${DEMO.owner.email}`);
    expect(owners).toHaveLength(1);
    expect(await verifyPassword(DEMO.owner.password, owners[0].passwordHash)).toBe(true);
    expect(await env.db.select().from(memberships).where(eq(memberships.companyId, first.companyId))).toHaveLength(2);

    const [member] = await env.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${DEMO.member.email}`);
    const actor = await loadActor(env.db, member.id, first.companyId);
    expect(can(actor!, "webhooks.manage")).toBe(false);
  });

  it("gives the demo company webhooks with history: successes, a retry, a failure, a delivery waiting to retry", async () => {
    const { companyId } = await seedDemo(env.db, {
      hashPassword,
      generateApiKey,
      defaultRoles: DEFAULT_ROLES,
      seedWebhooks: seedDemoWebhooks,
    });
    const hooks = await env.db.select().from(webhooks).where(eq(webhooks.companyId, companyId));
    expect(hooks.map((h) => h.name).sort()).toEqual(DEMO_WEBHOOKS.map((w) => String(w.input.name)).sort());
    // Nothing points anywhere that resolves.
    for (const h of hooks) expect(new URL(h.url.replace(/\{\{[^}]*\}\}/g, "x")).hostname).toMatch(/\.invalid$/);
    expect(hooks.every((h) => h.lastSentAt && h.lastStatus)).toBe(true);

    const rows = await env.db.select().from(deliveries).where(eq(deliveries.companyId, companyId));
    const byStatus = (s: string) => rows.filter((d) => d.status === s);
    expect(byStatus("success").length).toBeGreaterThanOrEqual(5);
    expect(byStatus("failed")).toHaveLength(1);
    expect(byStatus("queued")).toHaveLength(1);
    const attemptsOf = (id: string) =>
      env.db
        .select()
        .from(deliveryAttempts)
        .where(eq(deliveryAttempts.deliveryId, id))
        .orderBy(asc(deliveryAttempts.attemptNumber));

    const [failed] = byStatus("failed");
    const failedAttempts = await attemptsOf(failed.id);
    expect(failed.attempts).toBe(4);
    expect(failedAttempts.map((a) => a.errorKind)).toEqual([
      "http_status",
      "timeout",
      "connection_refused",
      "http_status",
    ]);
    expect(failed.lastError).toBe("http_status: The receiver answered HTTP 500");
    expect(failed.completedAt).not.toBeNull();
    // The request is the real builder's: an XML (extended) body of the picked fields.
    expect(readExtendedXml(failedAttempts[0].requestBody!)).toMatchObject({ crm_id: "c_1047", source: "hookrelay" });
    expect(failedAttempts[0].requestHeaders["webhook-id"]).toBe(failed.id);

    const [waiting] = byStatus("queued");
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(waiting.completedAt).toBeNull();
    expect(await attemptsOf(waiting.id)).toHaveLength(1);
    // No job: no worker ever sends it.
    const jobs = await env.db.execute(sql`select 1 from pgboss.job where data->>'deliveryId' = ${waiting.id}`);
    expect(jobs).toHaveLength(0);

    // A success after a retry, the event type in LeadSquared's naming.
    const retried = rows.find((d) => d.status === "success" && d.attempts === 2)!;
    const retriedAttempts = await attemptsOf(retried.id);
    expect(retriedAttempts.map((a) => a.responseStatus)).toEqual([503, 200]);
    expect(new URL(retriedAttempts[1].requestUrl).searchParams.get("eventType")).toBe("Lead_Post_Create");

    // The secret header is masked in what was logged.
    const all = await env.db
      .select()
      .from(deliveryAttempts)
      .where(
        inArray(
          deliveryAttempts.deliveryId,
          rows.map((d) => d.id),
        ),
      );
    expect(JSON.stringify(all)).not.toContain("demo-token-not-a-real-one");
    expect(all.some((a) => a.requestHeaders["X-Api-Token"]?.includes("•"))).toBe(true);
  });
});
