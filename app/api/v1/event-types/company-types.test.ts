import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { deliveries, events } from "@/db/schema";
import { createWebhook, updateWebhook } from "@/lib/actions/webhooks";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { apiClient, keyFor } from "@/tests/api";
import { POST as postEvents } from "../events/route";
import { GET as getOne, DELETE, PATCH, PUT } from "./[type]/route";
import { GET, POST } from "./route";

const env = testEnvironment();
afterAll(() => env.close());

let a: Awaited<ReturnType<typeof makeCompany>>;
let b: Awaited<ReturnType<typeof makeCompany>>;
let api: ReturnType<typeof apiClient>;
let bApi: ReturnType<typeof apiClient>;

const escalated = {
  type: "ticket.escalated",
  label: "Ticket escalated",
  module: "ticket",
  description: "A ticket is escalated to the second line.",
  schema: {
    type: "object",
    required: ["id", "level"],
    properties: {
      id: { type: "string" },
      level: { type: "integer", minimum: 1, maximum: 3 },
      reason: { type: "string", maxLength: 200 },
      customer: { type: "object", properties: { email: { type: "string", format: "email" } } },
    },
  },
  sample: { id: "tt_1", level: 2, reason: "SLA breached", customer: { email: "ada@example.com" } },
};

beforeAll(async () => {
  a = await makeCompany(env.deps, "Catalog A");
  b = await makeCompany(env.deps, "Catalog B");
  api = apiClient(await keyFor(env.deps, a.owner));
  bApi = apiClient(await keyFor(env.deps, b.owner));
});

const post = (client: ReturnType<typeof apiClient>, body: unknown) =>
  client.call(postEvents, "/api/v1/events", { method: "POST", body });

describe("a company's own event types", () => {
  it("registers a type over the API; events of it are accepted, checked against its schema, and matched", async () => {
    const created = await api.call(POST, "/api/v1/event-types", { method: "POST", body: escalated });
    expect(created.status).toBe(201);
    expect(created.json.eventType).toMatchObject({ type: "ticket.escalated", custom: true, deprecated: false });

    // Listed with the key (and not for another company, nor without a key).
    const listed = await api.call(GET, "/api/v1/event-types");
    expect(listed.json.eventTypes.map((e: { type: string }) => e.type)).toContain("ticket.escalated");
    const other = await bApi.call(GET, "/api/v1/event-types");
    expect(other.json.eventTypes.map((e: { type: string }) => e.type)).not.toContain("ticket.escalated");
    const anonymous = await apiClient(null).call(GET, "/api/v1/event-types");
    expect(anonymous.json.eventTypes.some((e: { custom: boolean }) => e.custom)).toBe(false);

    const hook = await createWebhook.run(env.deps, a.owner, {
      name: "Escalations",
      active: true,
      eventTypes: ["ticket.escalated"],
      url: "http://127.0.0.1:9/escalations",
    });
    expect(hook.ok).toBe(true);

    const accepted = await post(api, { id: "esc_1", type: "ticket.escalated", data: { id: "tt_9", level: 3 } });
    expect(accepted.status).toBe(202);
    expect(accepted.json.events[0]).toMatchObject({ deliveries: 1, duplicate: false });

    const wrong = await post(api, { type: "ticket.escalated", data: { id: "tt_9", level: 7 } });
    expect(wrong.status).toBe(422);
    expect(wrong.json.error.message).toMatch(/data\.level must be at most 3/);
    expect(wrong.json.error.field).toBe("data.level");
    const missing = await post(api, [
      { type: "deal.updated", data: { id: "d1" } },
      { type: "ticket.escalated", data: { id: "tt_9" } },
    ]);
    expect(missing.status).toBe(422);
    expect(missing.json.error.field).toBe("[1].data.level");

    // Another company cannot post it: unknown there.
    const elsewhere = await post(bApi, { type: "ticket.escalated", data: { id: "tt_9", level: 1 } });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.json.error.message).toMatch(/Unknown event type/);
  });

  it("refuses built-in names, bad names, unsupported schema keywords and a sample that breaks the schema", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ ...escalated, type: "deal.updated" }, "type", /built-in catalog/],
      [{ ...escalated, type: "has space" }, "type", /letters, digits/],
      [
        {
          ...escalated,
          type: "x.pattern",
          schema: { type: "object", properties: { a: { type: "string", pattern: "^(a+)+$" } } },
        },
        "schema",
        /"pattern" is not supported/,
      ],
      [
        { ...escalated, type: "x.sample", sample: { id: "t", level: "high" } },
        "sample",
        /data\.level must be an integer/,
      ],
      [{ type: "x.nothing", label: "Nothing", module: "x" }, "sample", /sample record or a JSON Schema/],
      [{ ...escalated, type: "x.text", schema: "{not json" }, "schema", /not valid JSON/],
    ];
    for (const [body, field, message] of cases) {
      const res = await api.call(POST, "/api/v1/event-types", { method: "POST", body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.field).toBe(field);
      expect(res.json.error.message).toMatch(message);
    }
    // A schema alone is enough: the sample is built from it, with an id.
    const fromSchema = await api.call(POST, "/api/v1/event-types", {
      method: "POST",
      body: {
        type: "invoice.overdue",
        label: "Invoice overdue",
        module: "invoice",
        schema: JSON.stringify(escalated.schema),
      },
    });
    expect(fromSchema.status).toBe(201);
    expect(fromSchema.json.eventType.sample.data).toMatchObject({ id: "example", level: 1 });
  });

  it("is only managed with Manage Webhooks, in the caller's company", async () => {
    const viewer = await addMember(env.db, a.companyId, a.roles.Member.id);
    const viewerKey = apiClient(await keyFor(env.deps, a.owner, "viewer")); // the owner's key, for contrast
    expect(
      (await viewerKey.call(getOne, "/api/v1/event-types/ticket.escalated", { params: { type: "ticket.escalated" } }))
        .status,
    ).toBe(200);
    const fromB = await bApi.call(PUT, "/api/v1/event-types/ticket.escalated", {
      method: "PUT",
      params: { type: "ticket.escalated" },
      body: { label: "Hijacked", module: "ticket", sample: { id: "x" } },
    });
    expect(fromB.status).toBe(404);
    const { createEventType } = await import("@/lib/actions/event-types");
    const refused = await createEventType.run(env.deps, viewer.caller, { ...escalated, type: "x.viewer" });
    expect(refused).toMatchObject({ ok: false, code: "forbidden" });
  });

  it("deprecates rather than deletes a type in use: still accepted, kept by its webhook, no longer offered", async () => {
    const del = await api.call(DELETE, "/api/v1/event-types/ticket.escalated", {
      method: "DELETE",
      params: { type: "ticket.escalated" },
    });
    expect(del.status).toBe(409);
    expect(del.json.error.message).toMatch(/in use by the webhook Escalations: deprecate it instead/);

    const dep = await api.call(PATCH, "/api/v1/event-types/ticket.escalated", {
      method: "PATCH",
      params: { type: "ticket.escalated" },
      body: { deprecated: true },
    });
    expect(dep.status).toBe(200);
    expect(dep.json.eventType.deprecated).toBe(true);

    // Its events are still accepted and delivered to the webhook that listens to it.
    const accepted = await post(api, { id: "esc_2", type: "ticket.escalated", data: { id: "tt_10", level: 1 } });
    expect(accepted.json.events[0].deliveries).toBe(1);
    // A new webhook cannot choose it …
    const fresh = await createWebhook.run(env.deps, a.owner, {
      name: "Late",
      eventTypes: ["ticket.escalated"],
      url: "http://127.0.0.1:9/late",
    });
    expect(fresh).toMatchObject({ ok: false, fieldErrors: { eventTypes: [expect.stringMatching(/deprecated/)] } });
    // … the webhook that had it keeps it when saved.
    const [row] = await env.db
      .select()
      .from(events)
      .where(and(eq(events.companyId, a.companyId), eq(events.externalId, "esc_2")));
    const [delivery] = await env.db.select().from(deliveries).where(eq(deliveries.eventId, row.id));
    const saved = await updateWebhook.run(env.deps, a.owner, {
      webhookId: delivery.webhookId,
      name: "Escalations",
      eventTypes: ["ticket.escalated", "deal.updated"],
      url: "http://127.0.0.1:9/escalations",
    });
    expect(saved.ok).toBe(true);

    // Not in use any more: it can be deleted.
    await updateWebhook.run(env.deps, a.owner, {
      webhookId: delivery.webhookId,
      name: "Escalations",
      eventTypes: ["deal.updated"],
      url: "http://127.0.0.1:9/escalations",
    });
    const gone = await api.call(DELETE, "/api/v1/event-types/ticket.escalated", {
      method: "DELETE",
      params: { type: "ticket.escalated" },
    });
    expect(gone.status).toBe(204);
    const unknown = await post(api, { type: "ticket.escalated", data: { id: "tt_11", level: 1 } });
    expect(unknown.status).toBe(422);
  });
});
