import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { apiKeys, deliveries, events } from "@/db/schema";
import { getBoss, stopWebBoss } from "@/jobs/boss";
import { POST } from "@/app/api/v1/events/route";
import { API_KEY_CACHE_MS } from "@/lib/api-auth";
import { insertWebhook } from "@/lib/webhooks";
import { keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { intakeGroup } from "./intake-group";

/**
 * Issue 17 item 5: concurrent requests of one event are written in one transaction (group commit),
 * each with its own answer; a bad member, a duplicate id or a company over its rate stays its own.
 */
const env = testEnvironment();

interface Tenant {
  companyId: string;
  key: string;
}
let a: Tenant;
let b: Tenant;

async function tenant(name: string): Promise<Tenant> {
  const made = await makeCompany(env.deps, name);
  await insertWebhook(env.db, made.companyId, made.owner.userId, {
    name: "Contacts",
    active: true,
    eventType: "contact.created",
    url: "http://127.0.0.1:9/never",
    delaySeconds: 86_400,
  });
  return { companyId: made.companyId, key: await keyFor(env.deps, made.owner, "intake") };
}

beforeAll(async () => {
  a = await tenant("Group A");
  b = await tenant("Group B");
});

afterAll(async () => {
  await stopWebBoss();
  await closeDb();
  await env.close();
});

const uid = (p = "evt") => `${p}_${Math.random().toString(36).slice(2)}`;

async function post(who: Tenant, body: unknown) {
  const res = await POST(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${who.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  return { status: res.status, json: await res.json() };
}

const contact = (id: string) => ({ id, type: "contact.created", data: { id } });

/** The transactions (their ids) that wrote these events. */
async function writers(ids: string[]) {
  const rows = await env.db
    .selectDistinct({ xid: sql<string>`${events}.xmin::text` })
    .from(events)
    .where(inArray(events.externalId, ids));
  return rows.map((r) => r.xid);
}

/** Puts the committer in flight with one request, and sends `rest` while it is: they form the next group. */
async function concurrently<T>(first: () => Promise<T>, rest: (() => Promise<T>)[]): Promise<T[]> {
  return Promise.all([first(), ...rest.map((f) => f())]);
}

describe("the events intake's group commit", () => {
  it("writes concurrent single events in one transaction, each answered with its own id", async () => {
    // The keys are cached from here on: the requests below reach the committer within a few ms.
    await post(a, contact(uid()));
    await post(b, contact(uid()));
    const committer = intakeGroup(getDb(), getBoss);
    const before = committer.stats();
    const ids = Array.from({ length: 12 }, () => uid());
    const answers = await concurrently(
      () => post(a, contact(ids[0])),
      ids.slice(1).map((id, i) => () => post(i % 2 ? a : b, contact(id))),
    );
    answers.forEach((res, i) => {
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ events: [{ id: ids[i], deliveries: 1, duplicate: false }] });
    });
    const after = committer.stats();
    expect(after.items - before.items).toBe(12);
    // The first goes alone (nothing is in flight), the others gather while it is: 12 requests, at most
    // 3 transactions (a slow machine may let the 2 ms window send a second group before the last arrive).
    expect(after.groups - before.groups).toBeLessThanOrEqual(3);
    expect((await writers(ids)).length).toBeLessThanOrEqual(3);
    // Tenant isolation in a mixed group: each event is its company's, matched by its company's webhook.
    const rows = await env.db
      .select({ externalId: events.externalId, companyId: events.companyId, hookCompany: deliveries.companyId })
      .from(events)
      .innerJoin(deliveries, eq(deliveries.eventId, events.id))
      .where(inArray(events.externalId, ids));
    expect(rows).toHaveLength(12);
    for (const r of rows) {
      const i = ids.indexOf(r.externalId);
      const owner = i === 0 || (i - 1) % 2 === 1 ? a : b;
      expect(r.companyId).toBe(owner.companyId);
      expect(r.hookCompany).toBe(owner.companyId);
    }
  });

  it("accepts one event for the same id sent concurrently: one stored, the others answered as duplicates", async () => {
    await post(a, contact(uid()));
    const id = uid("same");
    const answers = await concurrently(
      () => post(a, contact(id)),
      Array.from({ length: 7 }, () => () => post(a, contact(id))),
    );
    expect(answers.every((r) => r.status === 202)).toBe(true);
    const events_ = answers.map((r) => r.json.events[0]);
    expect(events_.filter((e) => !e.duplicate)).toHaveLength(1);
    expect(events_.every((e) => e.id === id && e.deliveries === 1)).toBe(true);
    const stored = await env.db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.companyId, a.companyId), eq(events.externalId, id)));
    expect(stored).toHaveLength(1);
    expect(await env.db.select().from(deliveries).where(eq(deliveries.eventId, stored[0].id))).toHaveLength(1);
  });

  it("fails only the member the database refuses; the rest of its group is stored", async () => {
    await env.db.execute(sql`
      create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.external_id like 'poison%' then raise exception 'poisoned event'; end if;
        return new;
      end $$`);
    await env.db.execute(
      sql`create trigger refuse_poison before insert on events for each row execute function refuse_poison()`,
    );
    try {
      await post(a, contact(uid()));
      const ids = [uid(), uid(), uid("poison"), uid(), uid(), uid()];
      const answers = await concurrently(
        () => post(a, contact(ids[0])),
        [
          ...ids.slice(1).map((id, i) => () => post(i % 2 ? a : b, contact(id))),
          // Refused before the group (unknown type): a 422 of its own.
          () => post(b, { id: uid(), type: "no.such_type", data: { id: 1 } }),
        ],
      );
      expect(answers.map((r) => r.status)).toEqual([202, 202, 500, 202, 202, 202, 422]);
      expect(answers[6].json.error.field).toBe("type");
      const stored = await env.db
        .select({ externalId: events.externalId })
        .from(events)
        .where(inArray(events.externalId, ids));
      expect(stored.map((r) => r.externalId).sort()).toEqual(ids.filter((i) => !i.startsWith("poison")).sort());
    } finally {
      await env.db.execute(sql`drop trigger refuse_poison on events`);
    }
  });

  it("counts each company's rate in arrival order: a company over it gets 429s, the other company in the group none", async () => {
    const limited = await tenant("Group Limited");
    const other = await tenant("Group Other");
    await post(limited, contact(uid()));
    await post(other, contact(uid()));
    // Wait for a fresh second, so both windows start empty and all requests below fall in one window.
    const second = () => Math.floor(Date.now() / 1000);
    const s0 = second();
    await expect.poll(second, { interval: 5, timeout: 2000 }).toBeGreaterThan(s0);
    process.env.EVENTS_RATE_LIMIT = "3";
    try {
      const order = [limited, limited, other, limited, limited, other, limited, other];
      const answers = await concurrently(
        () => post(order[0], contact(uid())),
        order.slice(1).map((who) => () => post(who, contact(uid()))),
      );
      const statusOf = (who: Tenant) => answers.filter((_, i) => order[i] === who).map((r) => r.status);
      expect(statusOf(other)).toEqual([202, 202, 202]);
      // The limited company's requests: 3 within its limit, then refused (the window already held none).
      expect(statusOf(limited).filter((s) => s === 202)).toHaveLength(3);
      expect(statusOf(limited).filter((s) => s === 429)).toHaveLength(2);
    } finally {
      delete process.env.EVENTS_RATE_LIMIT;
    }
  });
});

describe("API key cache", () => {
  it("stops a key revoked in another process within API_KEY_CACHE_MS", async () => {
    const c = await tenant("Revoked Elsewhere");
    expect((await post(c, contact(uid()))).status).toBe(202);
    // Revoked by another web process: straight in the database, this process's cache knows nothing of it.
    await env.db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.companyId, c.companyId));
    const revokedAt = Date.now();
    await expect
      .poll(async () => (await post(c, contact(uid()))).status, { interval: 50, timeout: API_KEY_CACHE_MS + 2000 })
      .toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(API_KEY_CACHE_MS + 500);
  });
});
