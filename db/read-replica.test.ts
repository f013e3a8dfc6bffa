import { afterAll, beforeAll, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { closeDb, createDb, getDb, getReadDb } from "@/db";
import { runMigrations } from "@/db/migrate";
import { companies, deliveries, events, webhooks } from "@/db/schema";
import { createWebhook } from "@/lib/actions/webhooks";
import { insertWebhook } from "@/lib/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import * as collection from "@/app/api/v1/webhooks/route";
import * as history from "@/app/api/v1/webhooks/[id]/deliveries/route";

/**
 * DATABASE_READ_URL: the listings read the replica, everything else the primary. The "replica" here is a
 * second database on the same server holding other rows for the same company, so what a listing returns
 * says where it read; the membership check and every write stay on the primary.
 */
const env = testEnvironment();
const replicaName = `hookrelay_replica_${process.pid}_${Date.now()}`;
const replicaUrl = (() => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${replicaName}`;
  return url.toString();
})();
let replica: ReturnType<typeof createDb> | null = null;
let a: Awaited<ReturnType<typeof makeCompany>>;
let key: string;
let primaryWebhookId: string;

beforeAll(async () => {
  a = await makeCompany(env.deps, "Replica Co");
  key = await keyFor(env.deps, a.owner);
  const created = await createWebhook.run(env.deps, a.owner, {
    name: "On the primary",
    eventType: "deal.updated",
    url: "https://erp.example.com/hook",
  });
  if (!created.ok) throw new Error(created.error);
  primaryWebhookId = created.data.webhookId;

  await env.db.execute(sql.raw(`create database "${replicaName}"`));
  await runMigrations(replicaUrl);
  replica = createDb(replicaUrl, 2);
  await replica.db.insert(companies).values({ id: a.companyId, name: "Replica Co" });
  await insertWebhook(replica.db, a.companyId, null, {
    name: "On the replica",
    eventType: "deal.updated",
    url: "https://erp.example.com/replica",
  });
  // The primary's webhook as the replica has it, with one delivery the primary does not have.
  const [row] = await env.db.select().from(webhooks).where(eq(webhooks.id, primaryWebhookId));
  await replica.db.insert(webhooks).values({ ...row, createdBy: null });
  const [event] = await replica.db
    .insert(events)
    .values({
      companyId: a.companyId,
      externalId: "only-on-replica",
      type: "deal.updated",
      occurredAt: new Date(),
      data: {},
    })
    .returning();
  await replica.db
    .insert(deliveries)
    .values({ companyId: a.companyId, webhookId: primaryWebhookId, eventId: event.id, status: "success" });
  process.env.DATABASE_READ_URL = replicaUrl;
}, 60_000);

afterAll(async () => {
  delete process.env.DATABASE_READ_URL;
  await closeDb();
  await replica?.client.end({ timeout: 5 });
  await env.db.execute(sql.raw(`drop database if exists "${replicaName}" with (force)`));
  await env.close();
});

it("reads the webhooks list and the history from DATABASE_READ_URL, and writes to the primary", async () => {
  expect(getReadDb()).not.toBe(getDb());
  const api = apiClient(key);
  const list = await api.call(collection.GET, "/api/v1/webhooks");
  expect(list.status).toBe(200);
  expect(list.json.webhooks.map((w: { name: string }) => w.name).sort()).toEqual(["On the primary", "On the replica"]);

  const deliveriesPath = `/api/v1/webhooks/${primaryWebhookId}/deliveries`;
  const page = await api.call(history.GET, deliveriesPath, { params: { id: primaryWebhookId } });
  expect(page.status).toBe(200);
  expect(page.json.deliveries.map((d: { event: { id: string } }) => d.event.id)).toEqual(["only-on-replica"]);

  // A write goes to the primary only (the replica, as a real one, would receive it by replication).
  const created = await api.call(collection.POST, "/api/v1/webhooks", {
    method: "POST",
    body: { name: "Written", eventType: "deal.updated", url: "https://erp.example.com/written" },
  });
  expect(created.status).toBe(201);
  const named = (db: typeof env.db) =>
    db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.name, "Written"));
  expect(await named(env.db)).toHaveLength(1);
  expect(await named(replica!.db)).toHaveLength(0);
});

it("reads the primary when DATABASE_READ_URL is unset", async () => {
  delete process.env.DATABASE_READ_URL;
  try {
    expect(getReadDb()).toBe(getDb());
    const list = await apiClient(key).call(collection.GET, "/api/v1/webhooks");
    expect(list.json.webhooks.map((w: { name: string }) => w.name).sort()).toEqual(["On the primary", "Written"]);
  } finally {
    process.env.DATABASE_READ_URL = replicaUrl;
  }
});
