import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditLog, oauthCredentials } from "@/db/schema";
import { createOAuthCredential, updateOAuthCredential } from "@/lib/actions/oauth-credentials";
import { createWebhook, testWebhookDraft, updateWebhook } from "@/lib/actions/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver } from "@/tests/receiver";

/**
 * Issue 13 item 2: stored secrets were replayed to any URL. Test on a saved webhook reused its saved
 * bearer token after the URL's host was changed in the form (and wrote no audit entry); saving did the
 * same, and an OAuth credential kept its client secret when its token URL moved to another host. Now a
 * saved secret goes only to the host it was saved for: after a change of host it must be typed again
 * (a field error says why), and every Test send is audited with who sent it and to which host.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
let company: Awaited<ReturnType<typeof makeCompany>>;
let saved: Awaited<ReturnType<typeof startReceiver>>;
let attacker: Awaited<ReturnType<typeof startReceiver>>;
let webhookId: string;
const TOKEN = "bearer-saved-for-the-erp-0123456789";

beforeAll(async () => {
  company = await makeCompany(env.deps, "Secret Replay Co");
  saved = await startReceiver();
  attacker = await startReceiver();
  const res = await createWebhook.run(env.deps, company.owner, {
    name: "ERP",
    eventType: "deal.updated",
    url: `${saved.url}/erp`,
    auth: { type: "bearer", token: TOKEN },
  });
  if (!res.ok) throw new Error(res.error);
  webhookId = res.data.webhookId;
});
afterAll(async () => {
  await saved.close();
  await attacker.close();
  await env.close();
});

const draft = (url: string, token = "") => ({
  name: "ERP",
  eventType: "deal.updated",
  url,
  auth: { type: "bearer", token },
});

describe("a saved secret goes only to the host it was saved for", () => {
  it("Test to another host with the token left blank: refused with a field error, nothing sent", async () => {
    const res = await testWebhookDraft.run(env.deps, company.owner, {
      webhookId,
      config: draft(`${attacker.url}/steal`),
    });
    if (!res.ok) throw new Error(res.error);
    expect(res.data).toMatchObject({
      ok: false,
      fieldErrors: {
        "auth.token": [
          expect.stringMatching(
            /^The host changed \(from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+\): type the token again/,
          ),
        ],
      },
    });
    expect(attacker.received).toHaveLength(0);
  });

  it("Test to the same host uses the saved token; a token typed for the new host is used there; each send is audited", async () => {
    const same = await testWebhookDraft.run(env.deps, company.owner, {
      webhookId,
      config: draft(`${saved.url}/erp/v2`),
    });
    expect(same).toMatchObject({ ok: true, data: { ok: true } });
    expect(saved.received.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const typed = await testWebhookDraft.run(env.deps, company.owner, {
      webhookId,
      config: draft(`${attacker.url}/new-erp`, "a-token-typed-for-the-new-host"),
    });
    expect(typed).toMatchObject({ ok: true, data: { ok: true } });
    expect(attacker.received.map((r) => r.headers.authorization)).toEqual(["Bearer a-token-typed-for-the-new-host"]);

    const entries = await env.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.companyId, company.companyId), eq(auditLog.action, "webhook.tested")));
    expect(
      entries.map((e) => ({ actor: e.actorUserId, host: e.details.host, saved: e.details.savedSecretsUsed })),
    ).toEqual([
      { actor: company.owner.userId, host: new URL(saved.url).host, saved: true },
      { actor: company.owner.userId, host: new URL(attacker.url).host, saved: false },
    ]);
    expect(JSON.stringify(entries)).not.toContain(TOKEN);
  });

  it("saving with another host and the token left blank is refused; the saved row keeps its URL", async () => {
    const res = await updateWebhook.run(env.deps, company.owner, { webhookId, ...draft(`${attacker.url}/steal`) });
    expect(res).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { "auth.token": [expect.stringMatching(/^The host changed/)] },
    });
    // Same host, blank token: the saved one is kept.
    expect(
      await updateWebhook.run(env.deps, company.owner, { webhookId, ...draft(`${saved.url}/erp/v3`) }),
    ).toMatchObject({ ok: true });
  });

  it("an OAuth credential whose token URL moves to another host needs its client secret again", async () => {
    const created = await createOAuthCredential.run(env.deps, company.owner, {
      name: "ERP OAuth",
      tokenUrl: `${saved.url}/token`,
      method: "POST",
      parameters: [
        { name: "grant_type", value: "client_credentials", in: "body" },
        { name: "client_secret", value: "oauth-client-secret-0123456789", in: "body" },
      ],
    });
    if (!created.ok) throw new Error(created.error);
    const input = (tokenUrl: string) => ({
      credentialId: created.data.credentialId,
      name: "ERP OAuth",
      tokenUrl,
      method: "POST" as const,
      parameters: [
        { name: "grant_type", value: "client_credentials", in: "body" as const },
        { name: "client_secret", value: "", in: "body" as const },
      ],
    });
    const moved = await updateOAuthCredential.run(env.deps, company.owner, input(`${attacker.url}/token`));
    expect(moved).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: {
        "parameters.1.value": [expect.stringMatching(/^The host changed .*type the value of client_secret again/)],
      },
    });
    const [row] = await env.db
      .select()
      .from(oauthCredentials)
      .where(eq(oauthCredentials.id, created.data.credentialId));
    expect(row.tokenUrl).toBe(`${saved.url}/token`);
    expect(await updateOAuthCredential.run(env.deps, company.owner, input(`${saved.url}/oauth/token`))).toMatchObject({
      ok: true,
    });
  });
});
