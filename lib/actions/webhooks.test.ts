import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditLog, companies, webhooks } from "@/db/schema";
import { readAuthSecrets, signingSecretsOf } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { createOAuthCredential, deleteOAuthCredential } from "./oauth-credentials";
import {
  createWebhook,
  duplicateWebhook,
  previewWebhookBody,
  rotateSigningSecret,
  setWebhookActive,
  testWebhookDraft,
  updateWebhook,
} from "./webhooks";

const env = testEnvironment();
afterAll(() => env.close());

let company: Awaited<ReturnType<typeof makeCompany>>;
/** Every secret these tests type or receive; none may reach the audit log. */
const secrets: string[] = [];

beforeAll(async () => {
  company = await makeCompany(env.deps, "Webhook Actions Co");
});

const base = { eventType: "deal.updated", url: "http://127.0.0.1:9/hook" };

async function create(input: Record<string, unknown>) {
  const res = await createWebhook.run(env.deps, company.owner, { ...base, ...input });
  if (!res.ok) throw new Error(res.error);
  secrets.push(res.data.signingSecret);
  return res.data;
}

async function row(id: string) {
  const [w] = await env.db.select().from(webhooks).where(eq(webhooks.id, id));
  return w;
}

describe("webhook actions", () => {
  it("refuses a webhook past the company's webhook limit, naming the limit, for create and duplicate", async () => {
    const [{ n }] = await env.db
      .select({ n: sql<number>`count(*)::int` })
      .from(webhooks)
      .where(eq(webhooks.companyId, company.companyId));
    await env.db
      .update(companies)
      .set({ webhookLimit: n + 1 })
      .where(eq(companies.id, company.companyId));
    try {
      const { webhookId } = await create({ name: "The last place" });
      const over = await createWebhook.run(env.deps, company.owner, { ...base, name: "One too many" });
      expect(over).toMatchObject({
        ok: false,
        code: "invalid",
        error: `Your company has reached its limit of ${n + 1} webhooks; delete one you no longer use first`,
        fieldErrors: { webhookLimit: [expect.any(String)] },
      });
      expect(await duplicateWebhook.run(env.deps, company.owner, { webhookId })).toMatchObject({
        ok: false,
        code: "invalid",
        fieldErrors: { webhookLimit: [expect.any(String)] },
      });
      expect(await env.db.select().from(webhooks).where(eq(webhooks.name, "One too many"))).toEqual([]);
    } finally {
      await env.db.update(companies).set({ webhookLimit: 100 }).where(eq(companies.id, company.companyId));
    }
  });

  it("trial-renders templates at save: a broken or over-limit template is a field error, and nothing is saved", async () => {
    const X = "x".repeat(100);
    const crash = `{% capture a %}{% for i in (1..1000) %}${X}{% endfor %}{% endcapture %}{% capture b %}{% for i in (1..3000) %}{{a}}{% endfor %}{% endcapture %}{{ b | replace: "x", "y" | size }}`;
    const name = "Template bomb";
    const bomb = await createWebhook.run(env.deps, company.owner, {
      ...base,
      name,
      method: "POST",
      body: { mode: "template", encoding: "text", template: crash },
    });
    expect(bomb).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: {
        "body.template": [
          expect.stringMatching(
            /^Template: The template (prints|builds a text) (more|longer) than 4,000,000 characters/,
          ),
        ],
      },
    });
    const broken = await createWebhook.run(env.deps, company.owner, {
      ...base,
      name,
      url: "http://127.0.0.1:9/{{ data.id | nope }}",
    });
    expect(broken).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { url: [expect.stringMatching(/^URL: /)] },
    });
    const header = await createWebhook.run(env.deps, company.owner, {
      ...base,
      name,
      headers: [{ name: "X-Id", value: "{% for %}" }],
    });
    expect(header).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { "headers.0.value": [expect.stringMatching(/^Header X-Id: /)] },
    });
    expect(await env.db.select().from(webhooks).where(eq(webhooks.name, name))).toEqual([]);
    // A good template still saves.
    const good = await createWebhook.run(env.deps, company.owner, {
      ...base,
      name,
      method: "POST",
      body: { mode: "template", encoding: "json", template: '{"id":"{{data.id}}"}' },
    });
    expect(good).toMatchObject({ ok: true });
  });

  it("keeps the saved secret when an update leaves it blank or out, with the same auth type", async () => {
    secrets.push("basic-pw-ONE");
    const { webhookId } = await create({
      name: "Blank keeps",
      auth: { type: "basic", username: "crm", password: "basic-pw-ONE" },
    });
    const blank = await updateWebhook.run(env.deps, company.owner, {
      ...base,
      webhookId,
      name: "Blank keeps",
      auth: { type: "basic", username: "crm2", password: "" },
    });
    expect(blank).toMatchObject({ ok: true });
    expect(readAuthSecrets(await row(webhookId))).toEqual({ basicPassword: "basic-pw-ONE" });
    const absent = await updateWebhook.run(env.deps, company.owner, {
      ...base,
      webhookId,
      name: "Blank keeps",
      auth: { type: "basic", username: "crm3" },
    });
    expect(absent).toMatchObject({ ok: true });
    expect(readAuthSecrets(await row(webhookId))).toEqual({ basicPassword: "basic-pw-ONE" });
  });

  it("asks for the new secret when the auth type changes (a stored secret of another type does not carry over)", async () => {
    secrets.push("api-key-value-TWO");
    const { webhookId } = await create({
      name: "Type change",
      auth: { type: "api_key", name: "X-Key", value: "api-key-value-TWO" },
    });
    const res = await updateWebhook.run(env.deps, company.owner, {
      ...base,
      webhookId,
      name: "Type change",
      auth: { type: "basic", username: "crm" },
    });
    expect(res).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { "auth.password": ["Password is required"] },
    });
    expect(readAuthSecrets(await row(webhookId))).toEqual({ apiKeyValue: "api-key-value-TWO" });
  });

  it('duplicates as an inactive "Copy of …" with its own signing secret and the same auth secrets', async () => {
    secrets.push("bearer-token-THREE");
    const { webhookId } = await create({
      name: "Original",
      active: true,
      auth: { type: "bearer", token: "bearer-token-THREE" },
    });
    const res = await duplicateWebhook.run(env.deps, company.owner, { webhookId });
    if (!res.ok) throw new Error(res.error);
    const [source, copy] = [await row(webhookId), await row(res.data.webhookId)];
    expect(copy).toMatchObject({
      name: "Copy of Original",
      active: false,
      url: source.url,
      eventTypes: source.eventTypes,
    });
    expect(copy.config).toMatchObject({ name: "Copy of Original", active: false });
    expect(signingSecretsOf(copy)[0]).not.toBe(signingSecretsOf(source)[0]);
    expect(readAuthSecrets(copy)).toEqual({ bearerToken: "bearer-token-THREE" });
  });

  it("switching a webhook on clears the auto-disable reason", async () => {
    const { webhookId } = await create({ name: "Disabled" });
    await env.db
      .update(webhooks)
      .set({ active: false, disabledReason: "Failing for 5 days", disabledAt: new Date(), failingSince: new Date() })
      .where(eq(webhooks.id, webhookId));
    expect(await setWebhookActive.run(env.deps, company.owner, { webhookId, active: true })).toMatchObject({
      ok: true,
      data: { active: true },
    });
    expect(await row(webhookId)).toMatchObject({
      active: true,
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
    });
    const [audit] = await env.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, webhookId))
      .orderBy(auditLog.createdAt)
      .then((r) => r.slice(-1));
    expect(audit).toMatchObject({ action: "webhook.activated", details: { clearedReason: "Failing for 5 days" } });
  });

  it("rotation keeps the old signing secret valid during the overlap, and not without one", async () => {
    const { webhookId, signingSecret: first } = await create({ name: "Rotate" });
    const rotated = await rotateSigningSecret.run(env.deps, company.owner, { webhookId, overlapHours: 24 });
    if (!rotated.ok) throw new Error(rotated.error);
    secrets.push(rotated.data.signingSecret);
    expect(rotated.data.signingSecret).not.toBe(first);
    expect(signingSecretsOf(await row(webhookId))).toEqual([rotated.data.signingSecret, first]);
    // After the overlap, only the new one signs.
    expect(signingSecretsOf(await row(webhookId), new Date(Date.now() + 25 * 3_600_000))).toEqual([
      rotated.data.signingSecret,
    ]);
    const again = await rotateSigningSecret.run(env.deps, company.owner, { webhookId, overlapHours: 0 });
    if (!again.ok) throw new Error(again.error);
    secrets.push(again.data.signingSecret);
    expect(signingSecretsOf(await row(webhookId))).toEqual([again.data.signingSecret]);
    expect(again.data.previousValidUntil).toBeNull();
  });

  it("refuses to delete an OAuth credential a webhook uses, naming the webhook", async () => {
    secrets.push("client-secret-FOUR");
    const cred = await createOAuthCredential.run(env.deps, company.owner, {
      name: "CRM token",
      tokenUrl: "http://127.0.0.1:9/token",
      parameters: [
        { name: "client_id", value: "abc" },
        { name: "client_secret", value: "client-secret-FOUR" },
      ],
    });
    if (!cred.ok) throw new Error(cred.error);
    await create({ name: "Uses the credential", auth: { type: "oauth", credentialId: cred.data.credentialId } });
    const res = await deleteOAuthCredential.run(env.deps, company.owner, { credentialId: cred.data.credentialId });
    expect(res).toMatchObject({ ok: false, code: "conflict" });
    if (!res.ok) expect(res.error).toContain("Uses the credential");
  });

  it("previews the body from the sample record without sending, secret constants masked, template errors on the template", async () => {
    const secret = "vt-authtoken-secret-9931";
    const draft = (body: unknown) => ({ draft: { eventType: "deal.updated", method: "POST", body } });
    const fields = await previewWebhookBody.run(
      env.deps,
      company.owner,
      draft({
        mode: "fields",
        encoding: "json",
        fields: [{ path: "id", as: "deal_id" }],
        constants: [
          { name: "authtoken", value: secret },
          { name: "apikey", value: "" },
          { name: "source", value: "crm" },
        ],
      }),
    );
    expect(fields).toMatchObject({ ok: true, data: { ok: true } });
    const body = JSON.parse((fields as { data: { body: string } }).data.body);
    expect(body).toEqual({
      deal_id: "d_5531",
      authtoken: expect.stringContaining("••••"),
      apikey: "••••••••",
      source: "crm",
    });
    expect(JSON.stringify(fields)).not.toContain(secret);

    const X = "x".repeat(100);
    const crash = `{% capture a %}{% for i in (1..1000) %}${X}{% endfor %}{% endcapture %}{% capture b %}{% for i in (1..3000) %}{{a}}{% endfor %}{% endcapture %}{{ b | replace: "x", "y" | size }}`;
    const bomb = await previewWebhookBody.run(
      env.deps,
      company.owner,
      draft({ mode: "template", encoding: "text", template: crash }),
    );
    expect(bomb).toMatchObject({
      ok: true,
      data: {
        ok: false,
        fieldErrors: {
          "body.template": [
            expect.stringMatching(
              /^Template: The template (prints|builds a text) (more|longer) than 4,000,000 characters/,
            ),
          ],
        },
      },
    });
    const unknown = await previewWebhookBody.run(env.deps, company.owner, {
      draft: { eventType: "no.such", body: { mode: "raw", encoding: "json" } },
    });
    expect(unknown).toMatchObject({ ok: true, data: { ok: false, fieldErrors: { eventTypes: [expect.any(String)] } } });
  });

  it("previews the same body as Test's dry run of the whole form", async () => {
    const bodies = [
      {
        mode: "fields",
        encoding: "form",
        fields: [{ path: "owner.email", as: "email" }, { path: "amount" }],
        constants: [{ name: "token", value: "typed-secret-value-1234" }],
      },
      { mode: "template", encoding: "xml", template: '<deal id="{{data.id}}">{{data.name}}</deal>' },
      { mode: "template", encoding: "json_array", template: '{"id": "{{data.id}}"}' },
    ];
    for (const body of bodies) {
      const lean = await previewWebhookBody.run(env.deps, company.owner, {
        draft: { eventType: "deal.updated", method: "PUT", body },
      });
      const full = await testWebhookDraft.run(env.deps, company.owner, {
        config: { ...base, name: "Preview", method: "PUT", body },
        dryRun: true,
      });
      expect(lean.ok && full.ok && lean.data.ok && full.data.ok).toBe(true);
      if (lean.ok && full.ok && lean.data.ok && full.data.ok) expect(lean.data.body).toBe(full.data.request.body);
    }
  });

  it("tests a draft without a name and refuses an edited sample record that is not a JSON object", async () => {
    const unnamed = await testWebhookDraft.run(env.deps, company.owner, {
      config: { ...base, name: "", url: "https://preview.example.com/{{data.id}}" },
      sample: { id: "d_typed" },
      dryRun: true,
    });
    expect(unnamed.ok && unnamed.data.ok && unnamed.data.request.url).toBe("https://preview.example.com/d_typed");
    const refused = await testWebhookDraft.run(env.deps, company.owner, {
      config: base,
      sample: [1, 2] as never,
      dryRun: true,
    });
    expect(refused).toMatchObject({ ok: false, fieldErrors: { sample: [expect.stringMatching(/^Sample record/)] } });
  });

  it("never writes a secret to the audit log", async () => {
    const entries = await env.db.select().from(auditLog).where(eq(auditLog.companyId, company.companyId));
    expect(entries.length).toBeGreaterThan(8);
    const text = JSON.stringify(entries);
    expect(secrets.length).toBeGreaterThan(6);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
