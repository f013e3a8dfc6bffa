import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { JWT } from "next-auth/jwt";
import { closeDb } from "@/db";
import { notifications, passwordResets } from "@/db/schema";
import { stopWebBoss } from "@/jobs/boss";
import { passwordReset } from "@/jobs/definitions";
import { passwordResetJob } from "@/jobs/password-reset";
import { requestPasswordReset, resetPassword, RESETS_PER_ACCOUNT } from "@/lib/actions/account";
import { authorizeCredentials } from "@/lib/account-security";
import { authConfig } from "@/lib/auth";
import { hashToken } from "@/lib/crypto";
import { captureLogLines } from "@/lib/log";
import { startResendStandIn } from "@/tests/resend-stand-in";
import { makeCompany, testEnvironment, uniqueEmail } from "@/tests/helpers";

/**
 * Issue 13 item 8. Before: no way back into an account whose password was forgotten. Now "Forgot
 * password?" answers the same whether or not the address has an account, queues the same job either
 * way, and for an account sends a single-use link that expires after an hour, through Resend (to the
 * server's log without it — never to the company's outbox). Using it ends every session.
 */
const env = testEnvironment();
let resend: Awaited<ReturnType<typeof startResendStandIn>>;

beforeAll(async () => {
  resend = await startResendStandIn();
});
afterAll(async () => {
  delete process.env.RESEND_API_KEY;
  delete process.env.RESEND_BASE_URL;
  await resend.close();
  await stopWebBoss();
  await closeDb();
  await env.close();
});

/** The reset jobs queued for an address (pg-boss's own table). */
async function jobsFor(email: string) {
  const rows = await env.db.execute<{ data: { email: string } }>(
    sql`select data from pgboss.job where name = ${passwordReset.name} and data->>'email' = ${email}`,
  );
  return rows.map((r) => r.data);
}

/** Sends the reset email for `email` through the Resend stand-in and returns the link's token. */
async function mailedToken(email: string): Promise<string> {
  process.env.RESEND_API_KEY = "re_test_key";
  process.env.RESEND_BASE_URL = resend.url;
  const before = resend.received.length;
  expect(await passwordResetJob(env.db, { email })).toBe("sent");
  const mail = resend.received.slice(before).find((m) => m.to.includes(email));
  expect(mail).toBeDefined();
  const token = mail!.text.match(/\/reset-password\/([A-Za-z0-9_-]+)/)?.[1];
  expect(token).toBeTruthy();
  return token!;
}

const { jwt } = authConfig.callbacks;
type JwtArgs = Parameters<typeof jwt>[0];

describe("forgot password", () => {
  it("answers the same, and queues the same job, whether or not the address has an account", async () => {
    const { ownerEmail } = await makeCompany(env.deps, "Forgetful Co");
    const nobody = uniqueEmail("nobody");
    const a = await requestPasswordReset(env.deps, { email: ownerEmail }, "192.0.2.1");
    const b = await requestPasswordReset(env.deps, { email: nobody }, "192.0.2.1");
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ok: true, message: expect.stringMatching(/If an account uses that address/) });
    expect(await jobsFor(ownerEmail)).toEqual([{ email: ownerEmail }]);
    expect(await jobsFor(nobody)).toEqual([{ email: nobody }]);
    // The worker sends nothing, and stores nothing, for an address without an account.
    expect(await passwordResetJob(env.db, { email: nobody })).toBe("no-account");
  });

  it("refuses an invalid address with a field error", async () => {
    expect(await requestPasswordReset(env.deps, { email: "not-an-email" }, "192.0.2.2")).toMatchObject({
      ok: false,
      fieldErrors: { email: [expect.any(String)] },
    });
  });

  it("sends a single-use link through Resend, never into the outbox; using it ends every session", async () => {
    const { ownerEmail, owner, companyId } = await makeCompany(env.deps, "Locked Out Co");
    const oldSession = (await jwt({
      token: { sub: owner.userId },
      user: { id: owner.userId, sessionVersion: 0 },
    } as unknown as JwtArgs)) as JWT;
    const token = await mailedToken(ownerEmail);
    expect(await env.db.select().from(notifications).where(eq(notifications.companyId, companyId))).toEqual([]);
    // Only the token's hash is stored.
    const stored = await env.db.select().from(passwordResets).where(eq(passwordResets.userId, owner.userId!));
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored[0].expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(stored[0].expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);

    const res = await resetPassword.run(env.deps, { userId: null }, { token, password: "brand-new-pass-3" });
    expect(res).toMatchObject({ ok: true, data: { email: ownerEmail } });
    expect(await jwt({ token: oldSession } as unknown as JwtArgs)).toBeNull();
    expect(
      (await authorizeCredentials(env.db, { email: ownerEmail, password: "brand-new-pass-3" }, "192.0.2.3")).ok,
    ).toBe(true);
    expect(
      (await authorizeCredentials(env.db, { email: ownerEmail, password: "correct-horse-9" }, "192.0.2.3")).ok,
    ).toBe(false);

    // Used once: the same link again is refused, and the new password stays.
    const again = await resetPassword.run(env.deps, { userId: null }, { token, password: "attacker-pass-4" });
    expect(again).toMatchObject({
      ok: false,
      code: "not_found",
      error: expect.stringMatching(/invalid, was used already or has expired/),
    });
    expect(
      (await authorizeCredentials(env.db, { email: ownerEmail, password: "brand-new-pass-3" }, "192.0.2.3")).ok,
    ).toBe(true);
  });

  it("an expired link, or an older link once another was used, does nothing", async () => {
    const { ownerEmail, owner } = await makeCompany(env.deps, "Expired Co");
    const older = await mailedToken(ownerEmail);
    const newer = await mailedToken(ownerEmail);
    const expired = await mailedToken(ownerEmail);
    await env.db.execute(
      sql`update password_resets set expires_at = now() - interval '1 second' where user_id = ${owner.userId} and token_hash = ${hashToken(expired)}`,
    );
    const hashes = await env.db
      .select({ h: passwordResets.tokenHash, e: passwordResets.expiresAt })
      .from(passwordResets)
      .where(eq(passwordResets.userId, owner.userId!));
    expect(hashes.filter((r) => r.e < new Date())).toHaveLength(1);
    expect(
      await resetPassword.run(env.deps, { userId: null }, { token: expired, password: "brand-new-pass-3" }),
    ).toMatchObject({ ok: false, code: "not_found" });
    expect(
      await resetPassword.run(env.deps, { userId: null }, { token: newer, password: "brand-new-pass-3" }),
    ).toMatchObject({ ok: true });
    expect(
      await resetPassword.run(env.deps, { userId: null }, { token: older, password: "other-new-pass-5" }),
    ).toMatchObject({ ok: false, code: "not_found" });
  });

  it("without Resend the link goes to the server's log", async () => {
    const { ownerEmail } = await makeCompany(env.deps, "No Resend Co");
    delete process.env.RESEND_API_KEY;
    const lines: string[] = [];
    const stop = captureLogLines(lines);
    try {
      expect(await passwordResetJob(env.db, { email: ownerEmail })).toBe("logged");
    } finally {
      stop();
    }
    const logged = lines.map((l) => JSON.parse(l).msg as string);
    expect(logged.join("\n")).toMatch(
      new RegExp(`reset link for ${ownerEmail.replace(/[.+]/g, "\\$&")}[\\s\\S]*/reset-password/[A-Za-z0-9_-]{20,}`),
    );
  });

  it("nobody can flood a mailbox: a few emails per account in 15 minutes, the answer unchanged", async () => {
    const { ownerEmail } = await makeCompany(env.deps, "Flooded Co");
    const answers = [];
    for (let i = 0; i < RESETS_PER_ACCOUNT + 3; i++)
      answers.push(await requestPasswordReset(env.deps, { email: ownerEmail }, `192.0.2.${10 + i}`));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await jobsFor(ownerEmail)).toHaveLength(RESETS_PER_ACCOUNT);
  });
});
