import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { closeDb } from "@/db";
import { deliveries, events } from "@/db/schema";
import { stopWebBoss } from "@/jobs/boss";
import { POST } from "@/app/api/v1/events/route";
import { insertWebhook } from "@/lib/webhooks";
import { keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";

/**
 * Issue 13 item 11: the events API takes JSON only — any other Content-Type (or none) is a 415 that
 * says what to send, and writes nothing; a repeated `id` inside one batch is stored once and answered
 * `duplicate: true` for the repeat (before: both answered as new).
 */
const env = testEnvironment();
let key: string;
let companyId: string;

beforeAll(async () => {
  const a = await makeCompany(env.deps, "Intake Rules Co");
  companyId = a.companyId;
  key = await keyFor(env.deps, a.owner, "intake");
  await insertWebhook(env.db, companyId, a.owner.userId, {
    name: "Contacts",
    active: true,
    eventType: "contact.created",
    url: "http://127.0.0.1:9/never",
    delaySeconds: 86_400,
  });
});

afterAll(async () => {
  await stopWebBoss();
  await closeDb();
  await env.close();
});

async function post(body: BodyInit, contentType?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (contentType !== undefined) headers["content-type"] = contentType;
  const res = await POST(new Request("http://localhost/api/v1/events", { method: "POST", headers, body }));
  return { status: res.status, json: await res.json() };
}

async function stored(externalId: string) {
  return env.db
    .select()
    .from(events)
    .where(and(eq(events.companyId, companyId), eq(events.externalId, externalId)));
}

describe("POST /api/v1/events content types", () => {
  const event = (id: string) => JSON.stringify({ id, type: "contact.created", data: { id } });

  it.each([
    ["text/plain;charset=UTF-8", "text/plain;charset=UTF-8"],
    ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded"],
    ["application/json; charset=iso-8859-1", "application/json; charset=iso-8859-1"],
    ["application/jsonp", "application/jsonp"],
  ])("refuses %s with 415, naming what to send, and stores nothing", async (label, contentType) => {
    const id = `ct-${label}`;
    const res = await post(event(id), contentType);
    expect(res.status).toBe(415);
    expect(res.json.error).toEqual({
      code: "unsupported_media_type",
      message: `Send events as JSON with Content-Type: application/json (got "${contentType}")`,
      field: "content-type",
    });
    expect(await stored(id)).toEqual([]);
  });

  it("refuses a body without a Content-Type", async () => {
    const res = await post(new Blob([event("ct-none")]));
    expect(res.status).toBe(415);
    expect(res.json.error.message).toBe("Send events as JSON with Content-Type: application/json (got none)");
    expect(await stored("ct-none")).toEqual([]);
  });

  it.each(["application/json", "application/json; charset=utf-8", 'Application/JSON;Charset="UTF-8"'])(
    "accepts %s",
    async (contentType) => {
      const id = `ct-ok-${contentType}`;
      const res = await post(event(id), contentType);
      expect(res.status).toBe(202);
      expect(await stored(id)).toHaveLength(1);
    },
  );
});

describe("a repeated id within one batch", () => {
  it("is stored once and answered duplicate: true for the repeat, with the first acceptance's deliveries", async () => {
    const res = await post(
      JSON.stringify([
        { id: "rep-1", type: "contact.created", data: { id: "c1" } },
        { id: "rep-2", type: "contact.created", data: { id: "c2" } },
        { id: "rep-1", type: "contact.created", data: { id: "c1-again" } },
      ]),
      "application/json",
    );
    expect(res.status).toBe(202);
    expect(res.json.events).toEqual([
      { id: "rep-1", deliveries: 1, duplicate: false },
      { id: "rep-2", deliveries: 1, duplicate: false },
      { id: "rep-1", deliveries: 1, duplicate: true },
    ]);
    const [row] = await stored("rep-1");
    expect(row.data).toEqual({ id: "c1" });
    expect(await env.db.select().from(deliveries).where(eq(deliveries.eventId, row.id))).toHaveLength(1);
  });
});
