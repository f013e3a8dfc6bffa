import { afterAll, afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { closeDb } from "@/db";
import { companies, plans, webhooks } from "@/db/schema";
import { createPlan } from "@/db/queries/plans";
import { randomToken } from "@/lib/crypto";
import { ACTIONS } from "@/lib/actions/registry";
import { operatorCompanyPlanSchema, planResponseSchema, usageResponseSchema } from "@/lib/openapi";
import {
  createWebhook,
  duplicateWebhook,
  setWebhookActive,
  testWebhookDraft,
  updateWebhook,
} from "@/lib/actions/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import * as usageRoute from "@/app/api/v1/usage/route";
import * as operatorPlans from "@/app/api/operator/plans/route";
import * as operatorPlan from "@/app/api/operator/plans/[id]/route";
import * as operatorCompanies from "@/app/api/operator/companies/route";
import * as operatorCompanyPlan from "@/app/api/operator/companies/[id]/plan/route";

const env = testEnvironment();
afterAll(async () => {
  await closeDb();
  await env.close();
});

const OPERATOR_KEY = `op-${randomToken(30)}`;
const base = { eventType: "deal.updated", url: "http://127.0.0.1:9/hook" };

/** Plans are shared by every test file: each test makes its own (never the default). */
async function onPlan(company: { companyId: string }, limits: Omit<Parameters<typeof createPlan>[1], "name">) {
  const plan = await createPlan(env.db, { name: `Test plan ${randomToken(6)}`, ...limits });
  await env.db.update(companies).set({ planId: plan.id }).where(eq(companies.id, company.companyId));
  return plan;
}

async function countWebhooks(companyId: string) {
  return (await env.db.select().from(webhooks).where(eq(webhooks.companyId, companyId))).length;
}

describe("max webhooks", () => {
  it("refuses create, duplicate, switching on and the API past the plan's number, with a field error", async () => {
    const c = await makeCompany(env.deps, "Max Co");
    const plan = await onPlan(c, { maxWebhooks: 2 });
    const first = await createWebhook.run(env.deps, c.owner, { ...base, name: "One", active: true });
    const second = await createWebhook.run(env.deps, c.owner, { ...base, name: "Two" });
    expect(first.ok && second.ok).toBe(true);
    const message = `Your plan (${plan.name}) allows 2 webhooks and your company has 2; delete one you no longer use first`;
    expect(await createWebhook.run(env.deps, c.owner, { ...base, name: "Three" })).toMatchObject({
      ok: false,
      code: "invalid",
      error: message,
      fieldErrors: { webhookLimit: [message] },
    });
    if (!first.ok) throw new Error();
    expect(await duplicateWebhook.run(env.deps, c.owner, { webhookId: first.data.webhookId })).toMatchObject({
      ok: false,
      fieldErrors: { webhookLimit: [message] },
    });
    const api = apiClient(await keyFor(env.deps, c.owner));
    const res = await api.call(webhooksRoute.POST, "/api/v1/webhooks", {
      method: "POST",
      body: { ...base, name: "Via API" },
    });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: "invalid", field: "webhookLimit", message });
    expect(await countWebhooks(c.companyId)).toBe(2);

    // Moved to a smaller plan: the webhooks stay, but none is switched on until the company is within it.
    await env.db.update(plans).set({ maxWebhooks: 1 }).where(eq(plans.id, plan.id));
    if (!second.ok) throw new Error();
    const over = `Your plan (${plan.name}) allows 1 webhooks and your company has 2: delete some before switching one on`;
    expect(
      await setWebhookActive.run(env.deps, c.owner, { webhookId: second.data.webhookId, active: true }),
    ).toMatchObject({ ok: false, code: "invalid", fieldErrors: { active: [over] } });
    expect(
      await updateWebhook.run(env.deps, c.owner, {
        ...base,
        name: "Two",
        active: true,
        webhookId: second.data.webhookId,
      }),
    ).toMatchObject({ ok: false, fieldErrors: { active: [over] } });
    // Switching off is always allowed; a webhook already on may be saved.
    expect(
      await setWebhookActive.run(env.deps, c.owner, { webhookId: first.data.webhookId, active: false }),
    ).toMatchObject({ ok: true });
    const [w] = await env.db.select().from(webhooks).where(eq(webhooks.id, second.data.webhookId));
    expect(w.active).toBe(false);
  });
});

describe("a plan without webhooks", () => {
  it("refuses switching on (create, save, toggle) and Test with the reason; saving switched off works", async () => {
    const c = await makeCompany(env.deps, "No Hooks Co");
    const plan = await onPlan(c, { webhooksEnabled: false });
    const reason = `Webhooks are not included in your company's plan (${plan.name}): save it switched off, or ask your provider for a plan with webhooks`;
    expect(await createWebhook.run(env.deps, c.owner, { ...base, name: "On", active: true })).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { active: [reason] },
    });
    const off = await createWebhook.run(env.deps, c.owner, { ...base, name: "Off" });
    if (!off.ok) throw new Error(off.error);
    expect(
      await setWebhookActive.run(env.deps, c.owner, { webhookId: off.data.webhookId, active: true }),
    ).toMatchObject({ ok: false, fieldErrors: { active: [reason] } });
    expect(
      await updateWebhook.run(env.deps, c.owner, { ...base, name: "Off", active: true, webhookId: off.data.webhookId }),
    ).toMatchObject({ ok: false, fieldErrors: { active: [reason] } });
    expect(
      await testWebhookDraft.run(env.deps, c.owner, { config: { ...base, name: "Off" }, dryRun: false }),
    ).toMatchObject({ ok: false, error: expect.stringContaining("not included in your company's plan") });
    const [w] = await env.db.select().from(webhooks).where(eq(webhooks.id, off.data.webhookId));
    expect(w.active).toBe(false);
  });
});

describe("the company side", () => {
  it("owners read their plan and usage; nothing they hold changes a plan", async () => {
    const c = await makeCompany(env.deps, "Reader Co");
    const plan = await onPlan(c, { callsPerDay: 500, callsPerUserPerDay: 50, maxWebhooks: 5 });
    const key = await keyFor(env.deps, c.owner);
    const api = apiClient(key);
    const res = await api.call(usageRoute.GET, "/api/v1/usage");
    expect(res.status).toBe(200);
    usageResponseSchema.parse(res.json);
    expect(res.json).toMatchObject({
      plan: { id: plan.id, name: plan.name, callsPerDay: 500, callsPerUserPerDay: 50, maxWebhooks: 5, assigned: true },
      calls: { today: 0, limit: 500 },
      webhooks: { count: 0, limit: 5 },
      users: [],
    });
    expect(Object.keys(usageRoute).filter((k) => /^(GET|POST|PUT|PATCH|DELETE)$/.test(k))).toEqual(["GET"]);
    // No action of the app names a plan: owners have nothing to call.
    expect(Object.keys(ACTIONS).filter((name) => /plan/i.test(name))).toEqual([]);
    // The company's API key is not the operator's.
    process.env.HOOKRELAY_OPERATOR_KEY = OPERATOR_KEY;
    try {
      const put = await api.call(operatorCompanyPlan.PUT, `/api/operator/companies/${c.companyId}/plan`, {
        method: "PUT",
        body: { plan: null },
        params: { id: c.companyId },
      });
      expect(put.status).toBe(401);
    } finally {
      delete process.env.HOOKRELAY_OPERATOR_KEY;
    }
    const [row] = await env.db.select().from(companies).where(eq(companies.id, c.companyId));
    expect(row.planId).toBe(plan.id);
  });
});

describe("the operator API", () => {
  afterEach(() => {
    delete process.env.HOOKRELAY_OPERATOR_KEY;
  });

  it("answers 404 saying so while HOOKRELAY_OPERATOR_KEY is not configured", async () => {
    const res = await apiClient(OPERATOR_KEY).call(operatorPlans.GET, "/api/operator/plans");
    expect(res.status).toBe(404);
    expect(res.json.error.message).toContain("HOOKRELAY_OPERATOR_KEY");
  });

  it("refuses a missing or wrong key with 401", async () => {
    process.env.HOOKRELAY_OPERATOR_KEY = OPERATOR_KEY;
    for (const key of [null, `${OPERATOR_KEY}x`, OPERATOR_KEY.slice(0, -1), "hr_live_nope"]) {
      const res = await apiClient(key).call(operatorPlans.POST, "/api/operator/plans", {
        method: "POST",
        body: { name: `Sneaky ${randomToken(4)}` },
      });
      expect(res.status, String(key)).toBe(401);
      expect(res.json.error.code).toBe("unauthorized");
    }
    expect((await env.db.select().from(plans)).some((p) => p.name.startsWith("Sneaky"))).toBe(false);
  });

  it("with the key: plans are created, listed, changed, assigned and deleted", async () => {
    process.env.HOOKRELAY_OPERATOR_KEY = OPERATOR_KEY;
    const op = apiClient(OPERATOR_KEY);
    const name = `Professional ${randomToken(4)}`;
    const created = await op.call(operatorPlans.POST, "/api/operator/plans", {
      method: "POST",
      body: { name, callsPerDay: 25000, callsPerUserPerDay: 250 },
    });
    expect(created.status).toBe(201);
    planResponseSchema.parse(created.json.plan);
    expect(created.json.plan).toMatchObject({
      name,
      webhooksEnabled: true,
      callsPerDay: 25000,
      callsPerUserPerDay: 250,
      maxWebhooks: null,
      isDefault: false,
    });
    const id = created.json.plan.id as string;
    const again = await op.call(operatorPlans.POST, "/api/operator/plans", { method: "POST", body: { name } });
    expect(again.status).toBe(409);
    const bad = await op.call(operatorPlans.POST, "/api/operator/plans", {
      method: "POST",
      body: { name: "Bad", callsPerDay: -1 },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.error.field).toBe("callsPerDay");

    const list = await op.call(operatorPlans.GET, "/api/operator/plans");
    expect(list.json.plans.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["Unlimited", name]));
    expect(list.json.plans.find((p: { name: string }) => p.name === "Unlimited").isDefault).toBe(true);

    const patched = await op.call(operatorPlan.PATCH, `/api/operator/plans/${id}`, {
      method: "PATCH",
      body: { maxWebhooks: 3 },
      params: { id },
    });
    expect(patched.json.plan).toMatchObject({ callsPerDay: 25000, maxWebhooks: 3 });

    const c = await makeCompany(env.deps, "Assigned Co");
    const assigned = await op.call(operatorCompanyPlan.PUT, `/api/operator/companies/${c.companyId}/plan`, {
      method: "PUT",
      body: { plan: name },
      params: { id: c.companyId },
    });
    expect(assigned.status).toBe(200);
    operatorCompanyPlanSchema.parse(assigned.json);
    expect(assigned.json.usage.plan).toMatchObject({ id, assigned: true, maxWebhooks: 3 });
    const companies_ = await op.call(operatorCompanies.GET, "/api/operator/companies");
    expect(companies_.json.companies.find((x: { id: string }) => x.id === c.companyId)).toMatchObject({
      planName: name,
      assigned: true,
    });
    const unknown = await op.call(operatorCompanyPlan.PUT, `/api/operator/companies/${c.companyId}/plan`, {
      method: "PUT",
      body: { plan: "No such plan" },
      params: { id: c.companyId },
    });
    expect(unknown.status).toBe(404);

    const inUse = await op.call(operatorPlan.DELETE, `/api/operator/plans/${id}`, { method: "DELETE", params: { id } });
    expect(inUse.status).toBe(409);
    expect(inUse.json.error.message).toContain("assigned to 1 company");
    const back = await op.call(operatorCompanyPlan.PUT, `/api/operator/companies/${c.companyId}/plan`, {
      method: "PUT",
      body: { plan: null },
      params: { id: c.companyId },
    });
    expect(back.json.usage.plan).toMatchObject({ name: "Unlimited", assigned: false });
    const gone = await op.call(operatorPlan.DELETE, `/api/operator/plans/${id}`, { method: "DELETE", params: { id } });
    expect(gone.status).toBe(204);
    const read = await op.call(operatorCompanyPlan.GET, `/api/operator/companies/${c.companyId}/plan`, {
      params: { id: c.companyId },
    });
    expect(read.json).toMatchObject({ company: { id: c.companyId }, usage: { plan: { name: "Unlimited" } } });
  });
});
