import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { companies, users, webhooks } from "@/db/schema";
import { recordOwnerMayBeMailed } from "@/jobs/recipients";
import { updateCompanySettings } from "@/lib/actions/company";
import { createRole } from "@/lib/actions/roles";
import { createWebhook } from "@/lib/actions/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";

/**
 * Issue 13 item 5: failure notices went to an event's `owner.email` whatever it was (anyone holding
 * an API key could make Hookrelay mail anyone), and names with CR/LF or text-direction overrides were
 * saved and used as email subjects. Now a record's owner is mailed only as a member or at one of the
 * company's notification domains (default: its members' domains), and single-line fields refuse
 * control and bidi characters with a field error.
 */
const env = testEnvironment();
afterAll(() => env.close());
let company: Awaited<ReturnType<typeof makeCompany>>;
let memberDomain: string;

beforeAll(async () => {
  company = await makeCompany(env.deps, "Mail Rules Co");
  const [owner] = await env.db.select({ email: users.email }).from(users).where(eq(users.id, company.owner.userId!));
  memberDomain = owner.email.split("@")[1];
});

describe("who a failure notice may reach as the record's owner", () => {
  it("a member's address, or an address at the members' domains by default; never a stranger's", async () => {
    const may = (address: unknown) => recordOwnerMayBeMailed(env.db, company.companyId, address);
    expect(await may(company.ownerEmail.toUpperCase())).toBe(company.ownerEmail.toLowerCase());
    expect(await may(`colleague@${memberDomain}`)).toBe(`colleague@${memberDomain}`);
    expect(await may("victim@elsewhere.example")).toBeNull();
    expect(await may(`x@${memberDomain}\r\nBcc: victim@elsewhere.example`)).toBeNull();
    expect(await may(`victim@elsewhere.example, x@${memberDomain}`)).toBeNull();
    expect(await may({ email: "x" })).toBeNull();
  });

  it("follows the company's notification domains once set (Settings → Company), which name the field when wrong", async () => {
    const bad = await updateCompanySettings.run(env.deps, company.owner, {
      companyId: company.companyId,
      name: "Mail Rules Co",
      retentionDays: 30,
      autoDisableAfterHours: 120,
      dailyCallLimit: 25000,
      notificationDomains: "partner.example, not a domain",
    });
    expect(bad).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { notificationDomains: [expect.stringMatching(/^Notification domains: list domain names/)] },
    });
    const ok = await updateCompanySettings.run(env.deps, company.owner, {
      companyId: company.companyId,
      name: "Mail Rules Co",
      retentionDays: 30,
      autoDisableAfterHours: 120,
      dailyCallLimit: 25000,
      notificationDomains: " Partner.example  @crm.example ",
    });
    expect(ok).toMatchObject({ ok: true, data: { notificationDomains: "partner.example, crm.example" } });
    const may = (address: string) => recordOwnerMayBeMailed(env.db, company.companyId, address);
    expect(await may("sales@partner.example")).toBe("sales@partner.example");
    expect(await may(`colleague@${memberDomain}`)).toBeNull();
    // Members themselves always.
    expect(await may(company.ownerEmail)).toBe(company.ownerEmail.toLowerCase());
    await env.db.update(companies).set({ notificationDomains: null }).where(eq(companies.id, company.companyId));
  });
});

describe("single-line fields refuse line breaks, control characters and direction overrides", () => {
  it.each([
    ["CR/LF (a header in an email subject)", "Invoices\r\nBcc: victim@elsewhere.example"],
    ["a right-to-left override", "Invoice \u202Efdp.exe"],
    ["a first-strong isolate", "Invoice \u2068x"],
    ["a C1 control", "Invoice \u0085"],
  ])("webhook names with %s", async (_label, name) => {
    const res = await createWebhook.run(env.deps, company.owner, {
      name,
      eventType: "deal.updated",
      url: "http://127.0.0.1:9/hook",
    });
    expect(res).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { name: ["Name cannot contain line breaks, control characters or text-direction marks"] },
    });
    expect(await env.db.select().from(webhooks).where(eq(webhooks.name, name))).toEqual([]);
  });

  it("role and company names too; ordinary names in any script still save", async () => {
    expect(await createRole.run(env.deps, company.owner, { name: "Ops\nAdmin", permissions: [] })).toMatchObject({
      ok: false,
      fieldErrors: { name: [expect.stringMatching(/^Role name cannot contain/)] },
    });
    const renamed = await updateCompanySettings.run(env.deps, company.owner, {
      companyId: company.companyId,
      name: "Mail\u202ERules",
      retentionDays: 30,
      autoDisableAfterHours: 120,
      dailyCallLimit: 25000,
    });
    expect(renamed).toMatchObject({
      ok: false,
      fieldErrors: { name: [expect.stringMatching(/^Company name cannot contain/)] },
    });
    expect(
      await createWebhook.run(env.deps, company.owner, {
        name: "Счета → ERP (日本)",
        eventType: "deal.updated",
        url: "http://127.0.0.1:9/hook",
      }),
    ).toMatchObject({ ok: true });
  });
});
