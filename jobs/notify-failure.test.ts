import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { deliveries, notifications, webhooks } from "@/db/schema";
import { createApiKey } from "@/lib/actions/api-keys";
import { resendDelivery } from "@/lib/actions/deliveries";
import { formatDateTime } from "@/lib/format";
import { insertWebhook } from "@/lib/webhooks";
import type { WebhookInput } from "@/lib/validations/webhook";
import { POST } from "@/app/api/v1/events/route";
import { createBoss } from "./boss";
import { registerWorkers } from "./worker";
import { FAILURE_EMAIL_KINDS, notifyFailureJob } from "./notify-failure";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver, waitUntil } from "@/tests/receiver";
import { startResendStandIn } from "@/tests/resend-stand-in";

process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
const worker = createBoss(inject("databaseUrl"), { role: "worker" });
// A slow provider: every email holds its sender 25 ms, so a burst of a few hundred takes seconds to drain.
const resend = await startResendStandIn({ delayMs: 25 });
process.env.RESEND_API_KEY = "re_test_failure_emails";
process.env.RESEND_BASE_URL = resend.url;

type Company = Awaited<ReturnType<typeof makeCompany>> & { key: string };
let company: Company;

async function newCompany(name: string): Promise<Company> {
  const c = await makeCompany(env.deps, name);
  const key = await createApiKey.run(env.deps, c.owner, { name: "ingest" });
  if (!key.ok) throw new Error(key.error);
  return { ...c, key: key.data.key };
}

beforeAll(async () => {
  await worker.start();
  await registerWorkers(worker, env.db, { concurrency: 8 });
  company = await newCompany("Notify Co");
});
afterAll(async () => {
  await worker.stop({ graceful: false });
  await env.close();
  await resend.close();
});

async function hook(input: Partial<WebhookInput> & { url: string }, owner: Company = company) {
  const { webhook } = await insertWebhook(env.db, owner.companyId, owner.owner.userId, {
    name: "Deals to the ERP",
    active: true,
    eventType: "deal.updated",
    ...input,
  });
  return webhook;
}

let seq = 0;
async function post(owner: Company, body: unknown) {
  const res = await POST(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${owner.key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
  expect(res.status).toBe(202);
}
const dealEvent = (id: string) => ({
  id: `ev-${Date.now()}-${seq++}`,
  type: "deal.updated",
  data: { id, stage: "Won" },
});

function emailsOf(webhookId: string, kind: keyof typeof FAILURE_EMAIL_KINDS) {
  return env.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.kind, FAILURE_EMAIL_KINDS[kind]), eq(notifications.refId, webhookId)))
    .orderBy(notifications.createdAt);
}

async function deliveriesOf(webhookId: string) {
  return env.db.select().from(deliveries).where(eq(deliveries.webhookId, webhookId)).orderBy(deliveries.createdAt);
}

/** As if the webhook's last email of this kind had gone out over an hour ago (the throttle's hour is over). */
async function hourPassed(webhookId: string, kind: keyof typeof FAILURE_EMAIL_KINDS) {
  await env.db
    .update(notifications)
    .set({ createdAt: sql`${notifications.createdAt} - interval '61 minutes'` })
    .where(and(eq(notifications.kind, FAILURE_EMAIL_KINDS[kind]), eq(notifications.refId, webhookId)));
}

/** No notify job of this webhook is running or due now (each has run, or waits for the next hour). */
async function notifyJobsSettled(webhookId: string) {
  await waitUntil(
    () =>
      env.db.execute<{ n: number }>(
        sql`select count(*)::int as n from pgboss.job where name = 'notify-failure' and data->>'webhookId' = ${webhookId}
            and (state in ('active', 'retry') or (state = 'created' and start_after <= now()))`,
      ),
    (r) => r[0].n === 0,
  );
}

describe("failure emails", () => {
  it("emails at the first failed attempt, with the URL as called, the next try's time and the tries left", async () => {
    const receiver = await startReceiver(() => ({ status: 500, body: "down" }));
    try {
      const webhook = await hook({ url: `${receiver.url}/deals/{{data.id}}` });
      await post(company, dealEvent("d_77"));
      const [email] = await waitUntil(
        () => emailsOf(webhook.id, "first_failure"),
        (r) => r.length > 0,
      );
      const [delivery] = await deliveriesOf(webhook.id);
      expect(delivery.status).toBe("queued");
      expect(email.toEmail).toBe(company.ownerEmail);
      expect(email.subject).toContain("a delivery failed, retrying at");
      expect(email.text).toContain(`Callback URL: POST ${receiver.url}/deals/d_77`);
      expect(email.text).not.toContain("{{data.id}}");
      expect(email.text).toContain("Status: 500 Internal server error");
      expect(email.text).toContain("Attempt: 1, at ");
      const nextTry = formatDateTime(delivery.nextAttemptAt!);
      expect(email.text).toContain(`Next try: ${nextTry}`);
      // The standard policy: 8 retries.
      expect(email.text).toContain("Tries left: 8");
      expect(email.text).toContain(`/webhooks/${webhook.id}/history/${delivery.id}`);
      expect(await emailsOf(webhook.id, "failed")).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it("emails again when the retries are used up, saying it failed for good, from the last attempt", async () => {
    const receiver = await startReceiver(() => ({ status: 503, body: "down" }));
    try {
      const webhook = await hook({
        url: `${receiver.url}/deals/{{data.id}}?src=crm`,
        retryPolicy: { type: "custom", delays: [0] },
      });
      await post(company, dealEvent("d_88"));
      const [failed] = await waitUntil(
        () => emailsOf(webhook.id, "failed"),
        (r) => r.length > 0,
      );
      const [delivery] = await deliveriesOf(webhook.id);
      expect(delivery.status).toBe("failed");
      expect(failed.subject).toContain("a delivery failed for good");
      expect(failed.text).toContain(`Callback URL: POST ${receiver.url}/deals/d_88?src=crm`);
      expect(failed.text).toContain("Status: 503 Service unavailable");
      expect(failed.text).toContain("Attempt: 2, at ");
      expect(failed.text).not.toContain("Next try");
      expect(failed.text).toContain(`/webhooks/${webhook.id}/history/${delivery.id}`);
    } finally {
      await receiver.close();
    }
  });

  it("sends nothing about a delivery that succeeded since (a resync after the fix)", async () => {
    let fixed = false;
    const receiver = await startReceiver(() => (fixed ? { status: 200, body: "ok" } : { status: 500 }));
    try {
      const webhook = await hook({
        url: `${receiver.url}/deals/{{data.id}}`,
        retryPolicy: { type: "preset", preset: "none" },
      });
      await post(company, dealEvent("d_99"));
      await waitUntil(
        () => emailsOf(webhook.id, "failed"),
        (r) => r.length === 1,
      );
      const [delivery] = await deliveriesOf(webhook.id);
      fixed = true;
      const resent = await resendDelivery.run(env.deps, company.owner, { deliveryId: delivery.id });
      expect(resent.ok).toBe(true);
      await waitUntil(
        () => deliveriesOf(webhook.id),
        (r) => r[0].status === "success",
      );
      // The hour is over and a notice about that failure comes due (as a throttled one would): nothing is sent.
      await hourPassed(webhook.id, "failed");
      await notifyFailureJob(env.db, worker, {
        kind: "failed",
        webhookId: webhook.id,
        deliveryId: delivery.id,
        attemptNumber: 1,
      });
      await notifyFailureJob(env.db, worker, { kind: "failed", webhookId: webhook.id, deliveryId: delivery.id });
      const emails = await emailsOf(webhook.id, "failed");
      expect(emails).toHaveLength(1);
      expect(emails[0].text).toContain("Status: 500");
      expect(emails.some((e) => /Status: 2\d\d/.test(e.text))).toBe(false);
    } finally {
      await receiver.close();
    }
  });

  it("sends no first-failure email about a delivery already delivered", async () => {
    const receiver = await startReceiver((_req, i) => (i === 0 ? { status: 502 } : { status: 200 }));
    try {
      const webhook = await hook({ url: `${receiver.url}/d`, retryPolicy: { type: "custom", delays: [0] } });
      await post(company, dealEvent("d_5"));
      await waitUntil(
        () => deliveriesOf(webhook.id),
        (r) => r[0]?.status === "success",
      );
      await notifyJobsSettled(webhook.id);
      const before = (await emailsOf(webhook.id, "first_failure")).length;
      await hourPassed(webhook.id, "first_failure");
      const [delivery] = await deliveriesOf(webhook.id);
      await notifyFailureJob(env.db, worker, {
        kind: "first_failure",
        webhookId: webhook.id,
        deliveryId: delivery.id,
        attemptNumber: 1,
      });
      expect(await emailsOf(webhook.id, "first_failure")).toHaveLength(before);
    } finally {
      await receiver.close();
    }
  });

  it("throttles each kind to one email per webhook per hour; the next one counts what failed since", async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      const webhook = await hook({
        url: `${receiver.url}/x/{{data.id}}`,
        retryPolicy: { type: "custom", delays: [0] },
      });
      for (let i = 0; i < 3; i++) await post(company, dealEvent(`t${i}`));
      await waitUntil(
        () => deliveriesOf(webhook.id),
        (r) => r.length === 3 && r.every((d) => d.status === "failed"),
      );
      await notifyJobsSettled(webhook.id);
      const first = await emailsOf(webhook.id, "first_failure");
      const failed = await emailsOf(webhook.id, "failed");
      // One of each kind (one recipient: the owner), though three deliveries failed twice each.
      expect(first).toHaveLength(1);
      expect(failed).toHaveLength(1);
      // The hour is over: the summary tells about the latest failure and counts the other two.
      await hourPassed(webhook.id, "failed");
      const [anyDelivery] = await deliveriesOf(webhook.id);
      await notifyFailureJob(env.db, worker, { kind: "failed", webhookId: webhook.id, deliveryId: anyDelivery.id });
      const after = await emailsOf(webhook.id, "failed");
      expect(after).toHaveLength(2);
      expect(after[1].text).toContain("2 other deliveries of this webhook also failed for good since the last notice");
    } finally {
      await receiver.close();
    }
  });

  it("sends nothing when the webhook no longer notifies on failure", async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      const webhook = await hook({ url: `${receiver.url}/q`, retryPolicy: { type: "preset", preset: "none" } });
      await env.db
        .update(webhooks)
        .set({ config: sql`${webhooks.config} || '{"notifyOnFailure": false}'::jsonb` })
        .where(eq(webhooks.id, webhook.id));
      await post(company, dealEvent("q1"));
      await waitUntil(
        () => deliveriesOf(webhook.id),
        (r) => r[0]?.status === "failed",
      );
      const [delivery] = await deliveriesOf(webhook.id);
      await notifyFailureJob(env.db, worker, { kind: "failed", webhookId: webhook.id, deliveryId: delivery.id });
      expect(await emailsOf(webhook.id, "failed")).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});

describe("a hostile company's flood", () => {
  it("does not hold up another company's failure email: it goes out while the flood's deliveries and emails wait", async () => {
    const slow = await startReceiver(() => ({ status: 500, delayMs: 300 }));
    const down = await startReceiver(() => ({ status: 500 }));
    const hostile = await newCompany("Flood Co");
    const victim = await newCompany("Victim Co");
    try {
      // 30 admins and 10 failing webhooks: ten notices of 31 emails each, behind a slow provider.
      for (let i = 0; i < 30; i++) await addMember(env.db, hostile.companyId, hostile.roles.Owner.id);
      for (let i = 0; i < 10; i++)
        await hook(
          {
            name: `Flood ${i}`,
            url: `${slow.url}/flood/${i}`,
            retryPolicy: { type: "preset", preset: "none" },
            maxConcurrency: 100,
          },
          hostile,
        );
      const target = await hook(
        { name: "Victim", url: `${down.url}/victim/{{data.id}}`, retryPolicy: { type: "preset", preset: "none" } },
        victim,
      );
      // 400 deliveries for a slow receiver.
      for (let j = 0; j < 4; j++)
        await post(
          hostile,
          Array.from({ length: 100 }, (_, i) => ({
            id: `flood-${Date.now()}-${j}-${i}`,
            type: "deal.updated",
            data: { id: `f${i}` },
          })),
        );
      // The flood's failure emails are queued (a burst of hundreds).
      await waitUntil(
        () =>
          env.db
            .select({ n: sql<number>`count(*)::int` })
            .from(notifications)
            .where(eq(notifications.companyId, hostile.companyId)),
        (r) => r[0].n >= 100,
      );
      await post(victim, dealEvent("v_1"));
      const [email] = await waitUntil(
        () => emailsOf(target.id, "failed"),
        (r) => r.length > 0 && r[0].status === "sent",
        60_000,
      );
      expect(email.text).toContain(`${down.url}/victim/v_1`);

      const [notice] = await env.db.execute<{ created: string; completed: string; seconds: number }>(
        sql`select created_on as created, completed_on as completed,
              extract(epoch from completed_on - created_on)::float8 as seconds from pgboss.job
            where name = 'notify-failure' and data->>'webhookId' = ${target.id} and state = 'completed'`,
      );
      const [sent] = await env.db.execute<{ completed: string }>(
        sql`select completed_on as completed from pgboss.job where name = 'send-email' and data->>'notificationId' = ${email.id}`,
      );
      // The flood's deliveries queued before the notice were still going out when it was done …
      const [deliveriesAfter] = await env.db.execute<{ n: number }>(
        sql`select count(*)::int as n from pgboss.job j where j.name = 'deliver-webhook' and j.data->>'companyId' = ${hostile.companyId}
            and j.created_on < ${notice.created} and (j.completed_on is null or j.completed_on > ${notice.completed})`,
      );
      expect(deliveriesAfter.n).toBeGreaterThan(0);
      // … and so were most of its emails queued before the victim's: it did not wait behind them.
      const [emailsAfter] = await env.db.execute<{ before: number; after: number }>(
        sql`select count(*) filter (where j.created_on < ${notice.completed})::int as before,
                   count(*) filter (where j.created_on < ${notice.completed} and (j.completed_on is null or j.completed_on > ${sent.completed}))::int as after
            from pgboss.job j join notifications n on n.id::text = j.data->>'notificationId'
            where j.name = 'send-email' and n.company_id = ${hostile.companyId}`,
      );
      expect(emailsAfter.before).toBeGreaterThanOrEqual(100);
      expect(emailsAfter.after).toBeGreaterThan(emailsAfter.before / 2);
      // A generous bound: the notice was done within seconds of being queued.
      expect(notice.seconds).toBeLessThan(15);
    } finally {
      for (const id of (
        await env.db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.companyId, hostile.companyId))
      ).map((w) => w.id))
        await env.db.update(webhooks).set({ active: false }).where(eq(webhooks.id, id));
      await slow.close();
      await down.close();
    }
  }, 120_000);
});
