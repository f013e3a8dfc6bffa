import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { auditLog, companies, notifications } from "@/db/schema";
import { insertNotification } from "@/db/queries/notifications";
import type { SendEmailJob } from "@/jobs/definitions";
import { sendEmailJob } from "@/jobs/send-email";
import { addMember, makeCompany, testEnvironment, uniqueEmail } from "@/tests/helpers";
import { startResendStandIn } from "@/tests/resend-stand-in";
import { UNLIMITED_DAILY_CALLS } from "@/lib/validations/settings";
import { getCompanySettings, resendEmail, updateCompanySettings } from "./company";

const env = testEnvironment();
let resend: Awaited<ReturnType<typeof startResendStandIn>>;
beforeAll(async () => {
  resend = await startResendStandIn();
});
afterAll(async () => {
  await resend.close();
  await env.close();
});

async function auditOf(companyId: string, action: string) {
  return env.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.companyId, companyId), eq(auditLog.action, action)));
}

describe("updateCompanySettings", () => {
  it("saves the settings and audits the before → after of each changed field", async () => {
    const a = await makeCompany(env.deps, "Acme");
    expect(await getCompanySettings(env.db, a.companyId)).toEqual({
      name: "Acme",
      retentionDays: 30,
      autoDisableAfterHours: 120,
      dailyCallLimit: 25000,
      notificationDomains: "",
    });

    const saved = await updateCompanySettings.run(env.deps, a.owner, {
      companyId: a.companyId,
      name: "  Acme Ltd ",
      retentionDays: 7,
      autoDisableAfterHours: 120,
      dailyCallLimit: undefined,
    });
    expect(saved).toMatchObject({
      ok: true,
      data: { name: "Acme Ltd", retentionDays: 7, autoDisableAfterHours: 120, dailyCallLimit: null },
    });
    // Blank is "no limit": stored as a value no day reaches, read back as null.
    const [row] = await env.db.select().from(companies).where(eq(companies.id, a.companyId));
    expect(row).toMatchObject({
      name: "Acme Ltd",
      retentionDays: 7,
      autoDisableAfterHours: 120,
      dailyCallLimit: UNLIMITED_DAILY_CALLS,
    });
    expect(await getCompanySettings(env.db, a.companyId)).toMatchObject({ dailyCallLimit: null });

    const [audit] = await auditOf(a.companyId, "company.updated");
    expect(audit).toMatchObject({
      actorUserId: a.owner.userId,
      targetType: "company",
      targetId: a.companyId,
      details: {
        name: "Acme Ltd",
        changes: {
          name: { from: "Acme", to: "Acme Ltd" },
          retentionDays: { from: 30, to: 7 },
          dailyCallLimit: { from: 25000, to: null },
        },
      },
    });
    expect(Object.keys(audit.details.changes as object).sort()).toEqual(["dailyCallLimit", "name", "retentionDays"]);

    // The same values again: nothing written, nothing audited.
    const again = await updateCompanySettings.run(env.deps, a.owner, {
      companyId: a.companyId,
      name: "Acme Ltd",
      retentionDays: 7,
      autoDisableAfterHours: 120,
      dailyCallLimit: null,
    });
    expect(again).toMatchObject({ ok: true });
    expect(await auditOf(a.companyId, "company.updated")).toHaveLength(1);

    await updateCompanySettings.run(env.deps, a.owner, {
      companyId: a.companyId,
      name: "Acme Ltd",
      retentionDays: 7,
      autoDisableAfterHours: 48,
      dailyCallLimit: 500,
    });
    expect(await getCompanySettings(env.db, a.companyId)).toMatchObject({
      autoDisableAfterHours: 48,
      dailyCallLimit: 500,
    });
  });

  it("names the fields out of range, and refuses a form loaded for another company or without Manage Company", async () => {
    const a = await makeCompany(env.deps);
    const b = await makeCompany(env.deps);
    const bad = await updateCompanySettings.run(env.deps, a.owner, {
      companyId: a.companyId,
      name: " ",
      retentionDays: 366,
      autoDisableAfterHours: 0,
      dailyCallLimit: 2.5,
    });
    expect(bad).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: {
        name: ["Company name is required"],
        retentionDays: ["Retention must be between 1 and 365 days"],
        autoDisableAfterHours: ["Auto-disable period must be between 1 and 720 hours"],
        dailyCallLimit: ["Daily call limit must be a whole number"],
      },
    });
    const missing = await updateCompanySettings.run(env.deps, a.owner, { companyId: a.companyId, name: "A" });
    expect(missing).toMatchObject({
      ok: false,
      fieldErrors: {
        retentionDays: ["Retention is required"],
        autoDisableAfterHours: ["Auto-disable period is required"],
      },
    });

    // A tab still showing company B's settings after switching to A: refused, nothing changes in either.
    const stale = await updateCompanySettings.run(env.deps, a.owner, {
      companyId: b.companyId,
      name: "Hijacked",
      retentionDays: 1,
      autoDisableAfterHours: 1,
      dailyCallLimit: 1,
    });
    expect(stale).toMatchObject({ ok: false, code: "not_found" });
    expect(await getCompanySettings(env.db, b.companyId)).toMatchObject({ retentionDays: 30 });

    const admin = await addMember(env.db, a.companyId, a.roles.Admin.id);
    const refused = await updateCompanySettings.run(env.deps, admin.caller, {
      companyId: a.companyId,
      name: "A",
      retentionDays: 1,
      autoDisableAfterHours: 1,
      dailyCallLimit: null,
    });
    expect(refused).toMatchObject({ ok: false, code: "forbidden" });
  });
});

describe("resendEmail", () => {
  async function failedEmail(companyId: string) {
    const row = await insertNotification(env.db, {
      companyId,
      kind: "invitation",
      toEmail: uniqueEmail("resent"),
      subject: "You're invited",
      html: "<p>Join us</p>",
      text: "Join us",
    });
    await env.db
      .update(notifications)
      .set({ status: "failed", error: "validation_error: Invalid `to` field", attempts: 5 })
      .where(eq(notifications.id, row.id));
    return row;
  }

  it("queues a failed email again with its send-email job; the job delivers it through Resend and the row becomes sent", async () => {
    process.env.RESEND_API_KEY = "re_test_key";
    process.env.RESEND_BASE_URL = resend.url;
    try {
      const a = await makeCompany(env.deps);
      const email = await failedEmail(a.companyId);

      const res = await resendEmail.run(env.deps, a.owner, { notificationId: email.id });
      expect(res).toMatchObject({ ok: true, data: { notificationId: email.id, status: "queued" } });

      // The job went in with the row's reset; run it here (another test file's worker may also take it: at least once).
      const [job] = await env.db.execute<{ data: SendEmailJob }>(
        sql`select data from pgboss.job where name = 'send-email' and data->>'notificationId' = ${email.id}`,
      );
      expect(job.data).toEqual({ notificationId: email.id });
      await sendEmailJob(env.db, job.data);

      const [sent] = await env.db.select().from(notifications).where(eq(notifications.id, email.id));
      expect(sent).toMatchObject({ status: "sent", error: null, providerId: expect.stringMatching(/^email_/) });
      const got = resend.received.filter((m) => m.to.includes(email.toEmail));
      expect(got.length).toBeGreaterThanOrEqual(1);
      expect(got[0]).toMatchObject({ subject: "You're invited", text: "Join us", authorization: "Bearer re_test_key" });

      const [audit] = await auditOf(a.companyId, "email.resent");
      expect(audit).toMatchObject({
        actorUserId: a.owner.userId,
        details: { notificationId: email.id, to: email.toEmail, previousStatus: "failed" },
      });
    } finally {
      delete process.env.RESEND_API_KEY;
      delete process.env.RESEND_BASE_URL;
    }
  });

  it("does not find another company's email, and refuses one still queued", async () => {
    const a = await makeCompany(env.deps);
    const b = await makeCompany(env.deps);
    const theirs = await failedEmail(b.companyId);
    expect(await resendEmail.run(env.deps, a.owner, { notificationId: theirs.id })).toMatchObject({
      ok: false,
      code: "not_found",
    });
    const [row] = await env.db.select().from(notifications).where(eq(notifications.id, theirs.id));
    expect(row.status).toBe("failed");

    const queued = await insertNotification(env.db, {
      companyId: a.companyId,
      kind: "invitation",
      toEmail: uniqueEmail(),
      subject: "S",
      html: "h",
      text: "t",
    });
    expect(await resendEmail.run(env.deps, a.owner, { notificationId: queued.id })).toMatchObject({
      ok: false,
      code: "conflict",
    });
    expect(await resendEmail.run(env.deps, a.owner, { notificationId: "not-a-uuid" })).toMatchObject({
      ok: false,
      code: "invalid",
    });
  });
});
