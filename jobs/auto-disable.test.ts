import { afterAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { companies, notifications, webhooks } from "@/db/schema";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { autoDisableWebhooks } from "./auto-disable";

const env = testEnvironment();
afterAll(() => env.close());

const DAY = 86_400_000;

describe("auto-disable", () => {
  it("switches off webhooks failing longer than the company's period, with the reason, and tells the admins", async () => {
    // Real time: other test files' webhooks, failing for seconds, must stay untouched.
    const now = new Date();
    const a = await makeCompany(env.deps, "Five days Co");
    const b = await makeCompany(env.deps, "Two days Co");
    await env.db.update(companies).set({ autoDisableAfterHours: 48 }).where(eq(companies.id, b.companyId));
    const make = async (
      companyId: string,
      userId: string | null,
      name: string,
      failingDaysAgo: number | null,
      active = true,
    ) => {
      const { webhook } = await insertWebhook(env.db, companyId, userId, {
        name,
        active,
        eventType: "lead.created",
        url: "https://example.com/hook",
      });
      await env.db
        .update(webhooks)
        .set({ failingSince: failingDaysAgo === null ? null : new Date(now.getTime() - failingDaysAgo * DAY) })
        .where(eq(webhooks.id, webhook.id));
      return webhook.id;
    };
    const longFailing = await make(a.companyId, a.owner.userId, "Six days failing", 6);
    const recent = await make(a.companyId, a.owner.userId, "One day failing", 1);
    const healthy = await make(a.companyId, a.owner.userId, "Healthy", null);
    const alreadyOff = await make(a.companyId, a.owner.userId, "Already off", 9, false);
    const otherCompany = await make(b.companyId, b.owner.userId, "Three days, 2-day company", 3);

    const disabled = await autoDisableWebhooks(env.db, await env.deps.boss(), now);
    expect(disabled.sort()).toEqual([longFailing, otherCompany].sort());

    const rows = Object.fromEntries(
      (await env.db.select().from(webhooks).where(eq(webhooks.companyId, a.companyId))).map((w) => [w.id, w]),
    );
    expect(rows[longFailing]).toMatchObject({
      active: false,
      disabledReason: expect.stringContaining("more than 5 days"),
    });
    expect(rows[recent].active).toBe(true);
    expect(rows[healthy].active).toBe(true);
    expect(rows[alreadyOff].disabledReason).toBeNull();

    const mails = await env.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.kind, "webhook_disabled"), eq(notifications.refId, longFailing)));
    expect(mails.map((m) => m.toEmail)).toEqual([a.ownerEmail]);
    expect(mails[0].text).toContain("Six days failing");

    // Running again changes nothing and sends nothing more.
    expect(await autoDisableWebhooks(env.db, await env.deps.boss(), now)).toEqual([]);
    expect(
      await env.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.kind, "webhook_disabled"), eq(notifications.refId, longFailing))),
    ).toHaveLength(1);
  });
});
