import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { webhooks } from "@/db/schema";
import { createWebhook, setWebhookActive, updateWebhook } from "@/lib/actions/webhooks";
import { buildRequest } from "@/lib/delivery/build-request";
import { generateSigningSecret, webhookConfigOf } from "@/lib/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import * as collection from "@/app/api/v1/webhooks/route";
import * as item from "@/app/api/v1/webhooks/[id]/route";
import { repeatedHeaderMessage, webhookSchema } from "./webhook";

const env = testEnvironment();
let company: Awaited<ReturnType<typeof makeCompany>>;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  company = await makeCompany(env.deps, "Headers Co");
  api = apiClient(await keyFor(env.deps, company.owner));
});
afterAll(() => env.close());

const base = { name: "Headers", eventType: "deal.updated", url: "https://erp.example.com/hook" };

async function stored(id: string) {
  const [row] = await env.db.select().from(webhooks).where(eq(webhooks.id, id));
  return row;
}

describe("a header name listed twice", () => {
  it("is refused on its second row, naming the header, whatever its case; several values fit in one row", () => {
    const twice = webhookSchema.safeParse({
      ...base,
      headers: [
        { name: "X-Foo", value: "a" },
        { name: "X-Bar", value: "b" },
        { name: "x-foo ", value: "c" },
      ],
    });
    expect(twice.success).toBe(false);
    const issue = twice.error!.issues.find((i) => i.path.join(".") === "headers.2.name");
    expect(issue?.message).toBe(repeatedHeaderMessage("x-foo", "X-Foo"));
    expect(issue?.message).toBe(
      "x-foo is listed twice (as X-Foo too: header names are not case-sensitive): put several values in one row, separated by commas",
    );
    expect(twice.error!.issues).toHaveLength(1);
    expect(repeatedHeaderMessage("X-Foo", "X-Foo")).toBe(
      "X-Foo is listed twice: put several values in one row, separated by commas",
    );

    const merged = webhookSchema.parse({ ...base, headers: [{ name: "X-Foo", value: "a, c" }] });
    expect(merged.headers).toEqual([{ name: "X-Foo", value: "a, c" }]);
  });

  it("is refused by the action and the API alike (422, the field named), and the saved webhook stays as it was", async () => {
    const input = {
      ...base,
      headers: [
        { name: "Accept-Language", value: "en" },
        { name: "accept-language", value: "de" },
      ],
    };
    const direct = await createWebhook.run(env.deps, company.owner, input);
    if (direct.ok) throw new Error("expected the action to refuse");
    expect(direct.fieldErrors?.["headers.1.name"]?.[0]).toContain("accept-language is listed twice");
    const viaApi = await api.call(collection.POST, "/api/v1/webhooks", { method: "POST", body: input });
    expect(viaApi.status).toBe(422);
    expect(viaApi.json.error.field).toBe("headers.1.name");
    expect(viaApi.json.error.fields).toEqual(direct.fieldErrors);

    // A saved webhook: a save with a repeated header is refused and changes nothing.
    const created = await createWebhook.run(env.deps, company.owner, {
      ...base,
      headers: [{ name: "Accept-Language", value: "en, de" }],
    });
    if (!created.ok) throw new Error(created.error);
    const before = await stored(created.data.webhookId);
    const update = await updateWebhook.run(env.deps, company.owner, {
      ...base,
      webhookId: created.data.webhookId,
      name: "Renamed",
      headers: [
        { name: "Accept-Language", value: "en" },
        { name: "X-Source", value: "crm" },
        { name: "ACCEPT-LANGUAGE", value: "de" },
      ],
    });
    if (update.ok) throw new Error("expected the save to be refused");
    expect(Object.keys(update.fieldErrors ?? {})).toEqual(["headers.2.name"]);
    const patched = await api.call(item.PATCH, `/api/v1/webhooks/${created.data.webhookId}`, {
      method: "PATCH",
      params: { id: created.data.webhookId },
      body: {
        headers: [
          { name: "X-A", value: "1" },
          { name: "x-a", value: "2" },
        ],
      },
    });
    expect(patched.status).toBe(422);
    expect(patched.json.error.field).toBe("headers.1.name");
    const after = await stored(created.data.webhookId);
    expect(after.name).toBe("Headers");
    expect(after.config).toEqual(before.config);
  });

  it("saved before the rule, still reads, switches and sends as before; saving again asks to merge the rows", async () => {
    const created = await createWebhook.run(env.deps, company.owner, {
      ...base,
      headers: [{ name: "X-Tenant", value: "one" }],
    });
    if (!created.ok) throw new Error(created.error);
    const id = created.data.webhookId;
    // As a row saved before the rule would be.
    await env.db
      .update(webhooks)
      .set({
        config: sql`jsonb_set(${webhooks.config}, '{headers}', '[{"name":"X-Tenant","value":"one","secret":false},{"name":"x-tenant","value":"two","secret":false}]'::jsonb)`,
      })
      .where(eq(webhooks.id, id));
    const config = webhookConfigOf(await stored(id));
    expect(config.headers.map((h) => h.value)).toEqual(["one", "two"]);
    // Sent as it always was: one X-Tenant header, the last row's value.
    const request = buildRequest(
      config,
      { id: "evt_1", type: "deal.updated", occurredAt: new Date().toISOString(), data: { id: "d_1" } },
      { deliveryId: "dlv_1", timestamp: new Date(), signingSecrets: [generateSigningSecret()], secrets: {} },
    );
    expect(Object.entries(request.headers).filter(([name]) => name.toLowerCase() === "x-tenant")).toEqual([
      ["X-Tenant", "two"],
    ]);
    const toggled = await setWebhookActive.run(env.deps, company.owner, { webhookId: id, active: true });
    expect(toggled.ok).toBe(true);
    const got = await api.call(item.GET, `/api/v1/webhooks/${id}`, { params: { id } });
    expect(got.status).toBe(200);
    expect(got.json.webhook.headers).toHaveLength(2);

    const resave = await updateWebhook.run(env.deps, company.owner, { ...config, webhookId: id });
    if (resave.ok) throw new Error("expected the save to ask for the rows to be merged");
    expect(resave.fieldErrors?.["headers.1.name"]?.[0]).toContain("x-tenant is listed twice");
    expect(webhookConfigOf(await stored(id)).headers).toHaveLength(2);
  });
});
