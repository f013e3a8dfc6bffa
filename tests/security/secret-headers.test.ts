import { generateSigningSecret } from "@/lib/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { closeDb } from "@/db";
import { auditLog, deliveries, deliveryAttempts, webhooks } from "@/db/schema";
import { stopWebBoss } from "@/jobs/boss";
import { deliverWebhook } from "@/jobs/deliver-webhook";
import { ACTIONS } from "@/lib/actions/registry";
import { webhookFormView } from "@/lib/actions/webhook-reads";
import { duplicateWebhook, testWebhookDraft, updateWebhook } from "@/lib/actions/webhooks";
import { encryptSecret } from "@/lib/crypto";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { webhookResponseSchema } from "@/lib/openapi";
import { readAuthSecrets, sealClearRowSecrets } from "@/lib/webhooks";
import { apiClient, keyFor } from "@/tests/api";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver } from "@/tests/receiver";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import * as webhookRoute from "@/app/api/v1/webhooks/[id]/route";

/**
 * Issue 13 item 3: a custom header such as X-Api-Token was masked in attempt logs but stored in the
 * plain config and shown to View-only users (the edit page's form data, GET /api/v1/webhooks/{id});
 * Vtiger's Authtoken typed as a constant body parameter was stored in clear and logged in every
 * attempt. Now headers and constants have a `secret` switch, on by default for a credential-like
 * name: a secret value is encrypted at rest (the auth_secrets blob), write-only (reads give it blank
 * with `hasValue`), masked in attempt logs and Test results, kept when left blank on edit, typed
 * again after a change of host, and copied by duplicate. Real PostgreSQL, real receivers on 127.0.0.1
 * that echo the request they got.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();

const HEADER_SECRET = "hdr-api-token-PLAIN-4d2f9a1c7e";
const AUTHTOKEN = "vtiger-authtoken-PLAIN-8b3e5f0a";
const REGION_SECRET = "region-typed-secret-PLAIN-71c";
const PLAIN_SESSION = "session-kept-plain-on-purpose-55";
const ALL_SECRETS = [HEADER_SECRET, AUTHTOKEN, REGION_SECRET];

/** A receiver that answers 200 and echoes the request (headers, URL, body) back in its body and headers. */
const echo = () =>
  startReceiver((req) => ({
    status: 200,
    headers: {
      "content-type": "application/json",
      "x-echo-token": String(req.headers["x-api-token"] ?? ""),
      "x-echo-url": req.url,
    },
    body: JSON.stringify({ headers: req.headers, url: req.url, body: req.body }),
  }));

let crm: Awaited<ReturnType<typeof echo>>;
let other: Awaited<ReturnType<typeof echo>>;
let company: Awaited<ReturnType<typeof makeCompany>>;
let owner: ReturnType<typeof apiClient>;
let viewer: ReturnType<typeof apiClient>;
let viewerCaller: Awaited<ReturnType<typeof addMember>>["caller"];
let webhookId: string;

/** What the API takes: secret switches left out (credential-like names default to on), one explicit false, one explicit
 * true. */
function hookInput(url: string, extra: Record<string, unknown> = {}) {
  return {
    name: "Vtiger sync",
    active: true,
    eventType: "contact.created",
    url,
    // A day's delay: no worker of another test file takes these jobs; this test delivers them itself.
    delaySeconds: 86_400,
    retryPolicy: { type: "preset", preset: "none" },
    headers: [
      { name: "X-Api-Token", value: HEADER_SECRET },
      { name: "X-Source", value: "hookrelay" },
      { name: "X-Session-Id", value: PLAIN_SESSION, secret: false },
      { name: "X-Auth-Context", value: "{{data.id}}" },
    ],
    body: {
      mode: "fields",
      encoding: "json",
      fields: [{ path: "data.id", as: "contactId" }],
      constants: [
        { name: "source", value: "crm" },
        { name: "Authtoken", value: AUTHTOKEN },
        { name: "region", value: REGION_SECRET, secret: true },
      ],
    },
    ...extra,
  };
}

function expectNoSecret(what: unknown, where: string) {
  const text = typeof what === "string" ? what : JSON.stringify(what);
  for (const s of ALL_SECRETS) {
    for (const form of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])
      expect(text, `${where} holds ${s}`).not.toContain(form);
  }
}

async function storedRow(id: string) {
  const [row] = await env.db.select().from(webhooks).where(eq(webhooks.id, id));
  return row;
}

/** Posts an event and delivers its delivery for `id` through the worker's own handler; returns the attempt logged. */
async function deliverOnce(id: string, eventId: string) {
  const posted = await owner.call(eventsRoute.POST, "/api/v1/events", {
    method: "POST",
    body: { id: eventId, type: "contact.created", data: { id: `c-${eventId}`, name: "Ada" } },
  });
  expect(posted.status, posted.text).toBe(202);
  const [delivery] = await env.db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.webhookId, id),
        sql`${deliveries.eventId} in (select e.id from events e where e.external_id = ${eventId})`,
      ),
    );
  await deliverWebhook(env.db, await env.deps.boss(), { deliveryId: delivery.id });
  const [attempt] = await env.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, delivery.id));
  return attempt;
}

beforeAll(async () => {
  crm = await echo();
  other = await echo();
  company = await makeCompany(env.deps, "Secret Headers Co");
  owner = apiClient(await keyFor(env.deps, company.owner, "owner"));
  const role = await ACTIONS.createRole.run(env.deps, company.owner, {
    name: "View only",
    permissions: ["apiKeys.manage", "webhooks.view"],
  });
  if (!role.ok) throw new Error(role.error);
  const member = await addMember(env.db, company.companyId, role.data.roleId);
  viewerCaller = member.caller;
  viewer = apiClient(await keyFor(env.deps, member.caller, "view only"));
  const created = await owner.call(webhooksRoute.POST, "/api/v1/webhooks", {
    method: "POST",
    body: hookInput(`${crm.url}/vtiger/webservice.php`),
  });
  expect(created.status, created.text).toBe(201);
  webhookId = created.json.webhook.id;
});

afterAll(async () => {
  await Promise.all([crm?.close(), other?.close()]);
  await closeSafeDispatchers();
  await stopWebBoss();
  await closeDb();
  await env.close();
});

describe("secret headers and constants are encrypted at rest", () => {
  it("the stored config holds no secret value; the encrypted column holds them (credential-like names default to secret)", async () => {
    const row = await storedRow(webhookId);
    expectNoSecret(row.config, "webhooks.config");
    expectNoSecret(row.authSecretsEncrypted, "webhooks.auth_secrets_encrypted");
    expect(row.config).toMatchObject({
      headers: [
        { name: "X-Api-Token", value: "", secret: true },
        { name: "X-Source", value: "hookrelay", secret: false },
        // Explicit secret:false is respected, and a templated header stays plain (a secret is never rendered).
        { name: "X-Session-Id", value: PLAIN_SESSION, secret: false },
        { name: "X-Auth-Context", value: "{{data.id}}", secret: false },
      ],
      body: {
        constants: [
          { name: "source", value: "crm", secret: false },
          { name: "Authtoken", value: "", secret: true },
          { name: "region", value: "", secret: true },
        ],
      },
    });
    expect(readAuthSecrets(row)).toEqual({
      headers: { "x-api-token": HEADER_SECRET },
      constants: { Authtoken: AUTHTOKEN, region: REGION_SECRET },
    });
  });
});

describe("secret values are write-only", () => {
  it("GET /api/v1/webhooks/{id} (a View-only key, and the owner's) shows them blank with hasValue", async () => {
    for (const client of [viewer, owner]) {
      const res = await client.call(webhookRoute.GET, `/api/v1/webhooks/${webhookId}`, { params: { id: webhookId } });
      expect(res.status, res.text).toBe(200);
      expectNoSecret(res.text, "GET /api/v1/webhooks/{id}");
      const webhook = webhookResponseSchema.parse(res.json.webhook);
      expect(webhook.headers).toEqual([
        { name: "X-Api-Token", value: "", secret: true, hasValue: true },
        { name: "X-Source", value: "hookrelay", secret: false, hasValue: true },
        { name: "X-Session-Id", value: PLAIN_SESSION, secret: false, hasValue: true },
        { name: "X-Auth-Context", value: "{{data.id}}", secret: false, hasValue: true },
      ]);
      expect(webhook.body).toMatchObject({
        constants: [
          { name: "source", value: "crm" },
          { name: "Authtoken", value: "", secret: true, hasValue: true },
          { name: "region", value: "", secret: true, hasValue: true },
        ],
      });
    }
  });

  it("what the edit page hands the form (its RSC payload) and the View-only read action hold no secret value", async () => {
    const view = webhookFormView(await storedRow(webhookId));
    expectNoSecret(view, "edit page form data");
    expect(view.savedSecrets).toMatchObject({ headers: ["x-api-token"], constants: ["Authtoken", "region"] });
    expect(view.defaults.headers[0]).toEqual({ name: "X-Api-Token", value: "", secret: true });
    const read = await ACTIONS.getWebhook.run(env.deps, viewerCaller, { webhookId });
    expect(read.ok).toBe(true);
    expectNoSecret(read, "getWebhook as a View-only member");
  });
});

describe("secret values are sent, and masked wherever they are logged or shown", () => {
  it("a delivery: the receiver gets the real values; the attempt's request headers, body and the echoed answer hold them only masked", async () => {
    const attempt = await deliverOnce(webhookId, "evt_secret_headers_1");
    const got = crm.received.at(-1)!;
    expect(got.headers["x-api-token"]).toBe(HEADER_SECRET);
    expect(got.headers["x-session-id"]).toBe(PLAIN_SESSION);
    expect(got.headers["x-auth-context"]).toBe("c-evt_secret_headers_1");
    expect(JSON.parse(got.body)).toEqual({
      contactId: "c-evt_secret_headers_1",
      source: "crm",
      Authtoken: AUTHTOKEN,
      region: REGION_SECRET,
    });

    expect(attempt.responseStatus).toBe(200);
    expectNoSecret(attempt, "delivery_attempts");
    expect(attempt.requestHeaders["X-Api-Token"]).toMatch(/^hdr-••••••/);
    expect(JSON.parse(attempt.requestBody!)).toEqual({
      contactId: "c-evt_secret_headers_1",
      source: "crm",
      Authtoken: "vtig••••••5f0a",
      region: "regi••••••-71c",
    });
    expect(attempt.responseBody).toContain("••••");
  });

  it("a GET webhook sends the constants in the query string: the receiver gets them, the logged URL masks them", async () => {
    const created = await owner.call(webhooksRoute.POST, "/api/v1/webhooks", {
      method: "POST",
      body: hookInput(`${crm.url}/vtiger/query`, { name: "Vtiger GET", method: "GET" }),
    });
    expect(created.status, created.text).toBe(201);
    const attempt = await deliverOnce(created.json.webhook.id, "evt_secret_headers_2");
    const got = new URL(crm.received.at(-1)!.url, crm.url);
    expect(got.searchParams.get("Authtoken")).toBe(AUTHTOKEN);
    expectNoSecret(attempt, "delivery_attempts (GET)");
    expect(new URL(attempt.requestUrl).searchParams.get("Authtoken")).toBe("vtig••••••5f0a");
  });

  it("Test with the saved secrets (the form sends them blank): sent for real, shown masked", async () => {
    const stored = await owner.call(webhookRoute.GET, `/api/v1/webhooks/${webhookId}`, { params: { id: webhookId } });
    const result = await testWebhookDraft.run(env.deps, company.owner, { webhookId, config: stored.json.webhook });
    expect(result).toMatchObject({ ok: true, data: { ok: true } });
    const got = crm.received.at(-1)!;
    expect(got.headers["x-api-token"]).toBe(HEADER_SECRET);
    expect(JSON.parse(got.body)).toMatchObject({ Authtoken: AUTHTOKEN, region: REGION_SECRET });
    expectNoSecret(result, "Test result");
    if (!result.ok || !result.data.ok) throw new Error("unreachable");
    expect(result.data.request.headers["X-Api-Token"]).toMatch(/^hdr-••••••/);
    expect(JSON.parse(result.data.request.body!)).toMatchObject({ Authtoken: "vtig••••••5f0a" });
    // The preview (dry run) shows them masked too.
    const preview = await testWebhookDraft.run(env.deps, company.owner, {
      webhookId,
      config: stored.json.webhook,
      dryRun: true,
    });
    expect(preview).toMatchObject({ ok: true, data: { ok: true, dryRun: true } });
    expectNoSecret(preview, "preview");
  });
});

describe("editing", () => {
  it("leaving a secret blank keeps the saved one (PUT with what GET gave, PATCH of another field)", async () => {
    const before = readAuthSecrets(await storedRow(webhookId));
    const stored = await owner.call(webhookRoute.GET, `/api/v1/webhooks/${webhookId}`, { params: { id: webhookId } });
    const put = await owner.call(webhookRoute.PUT, `/api/v1/webhooks/${webhookId}`, {
      method: "PUT",
      params: { id: webhookId },
      body: { ...stored.json.webhook, description: "kept" },
    });
    expect(put.status, put.text).toBe(200);
    const patch = await owner.call(webhookRoute.PATCH, `/api/v1/webhooks/${webhookId}`, {
      method: "PATCH",
      params: { id: webhookId },
      body: { description: "patched" },
    });
    expect(patch.status, patch.text).toBe(200);
    expect(readAuthSecrets(await storedRow(webhookId))).toEqual(before);
  });

  it("a new value replaces the saved one; the audit names the sections, never the value", async () => {
    const stored = await owner.call(webhookRoute.GET, `/api/v1/webhooks/${webhookId}`, { params: { id: webhookId } });
    const headers = stored.json.webhook.headers.map((h: { name: string }) =>
      h.name === "X-Api-Token" ? { ...h, value: "hdr-api-token-ROTATED-0000" } : h,
    );
    const put = await owner.call(webhookRoute.PUT, `/api/v1/webhooks/${webhookId}`, {
      method: "PUT",
      params: { id: webhookId },
      body: { ...stored.json.webhook, headers },
    });
    expect(put.status, put.text).toBe(200);
    expect(readAuthSecrets(await storedRow(webhookId)).headers).toEqual({
      "x-api-token": "hdr-api-token-ROTATED-0000",
    });
    const [entry] = await env.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, webhookId), eq(auditLog.action, "webhook.updated")))
      .orderBy(sql`${auditLog.createdAt} desc`)
      .limit(1);
    expect(entry.details.changes).toMatchObject({ sections: ["headers"], secretChanged: true });
    expect(JSON.stringify(entry)).not.toContain("ROTATED");
    // Back to the original value for the tests below.
    const back = await owner.call(webhookRoute.PUT, `/api/v1/webhooks/${webhookId}`, {
      method: "PUT",
      params: { id: webhookId },
      body: {
        ...stored.json.webhook,
        headers: stored.json.webhook.headers.map((h: { name: string }) =>
          h.name === "X-Api-Token" ? { ...h, value: HEADER_SECRET } : h,
        ),
      },
    });
    expect(back.status, back.text).toBe(200);
  });

  it("changing the URL's host needs the header and constant secrets typed again: save refused naming each, Test sends nothing", async () => {
    const stored = await owner.call(webhookRoute.GET, `/api/v1/webhooks/${webhookId}`, { params: { id: webhookId } });
    const moved = { ...stored.json.webhook, url: `${other.url}/steal` };
    const saved = await updateWebhook.run(env.deps, company.owner, { ...moved, webhookId });
    expect(saved).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: {
        "headers.0.value": [
          expect.stringMatching(
            /^The host changed \(from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+\): type the value of header X-Api-Token again/,
          ),
        ],
        "body.constants.1.value": [expect.stringMatching(/^The host changed .*type the value of Authtoken again/)],
        "body.constants.2.value": [expect.stringMatching(/^The host changed .*type the value of region again/)],
      },
    });
    expect((await storedRow(webhookId)).url).toBe(`${crm.url}/vtiger/webservice.php`);

    const tested = await testWebhookDraft.run(env.deps, company.owner, { webhookId, config: moved });
    expect(tested).toMatchObject({
      ok: true,
      data: { ok: false, fieldErrors: { "headers.0.value": [expect.stringMatching(/^The host changed/)] } },
    });
    expect(other.received).toHaveLength(0);

    // Typed again, they go to the new host.
    const typed = {
      ...moved,
      headers: moved.headers.map((h: { name: string }) =>
        h.name === "X-Api-Token" ? { ...h, value: "token-for-the-new-host-123" } : h,
      ),
      body: {
        ...moved.body,
        constants: moved.body.constants.map((c: { name: string; secret: boolean }) =>
          c.secret ? { ...c, value: `${c.name}-for-the-new-host-123` } : c,
        ),
      },
    };
    expect(await testWebhookDraft.run(env.deps, company.owner, { webhookId, config: typed })).toMatchObject({
      ok: true,
      data: { ok: true },
    });
    expect(other.received.at(-1)!.headers["x-api-token"]).toBe("token-for-the-new-host-123");
    expect(JSON.parse(other.received.at(-1)!.body)).toMatchObject({ Authtoken: "Authtoken-for-the-new-host-123" });
  });

  it("turning Secret off with the value left blank is refused (the saved value is never shown); a typed value goes in clear", async () => {
    const stored = await owner.call(webhookRoute.GET, `/api/v1/webhooks/${webhookId}`, { params: { id: webhookId } });
    const unveil = (value: string) =>
      stored.json.webhook.headers.map((h: { name: string }) =>
        h.name === "X-Api-Token" ? { name: h.name, value, secret: false } : h,
      );
    const blank = await updateWebhook.run(env.deps, company.owner, {
      ...stored.json.webhook,
      headers: unveil(""),
      webhookId,
    });
    expect(blank).toMatchObject({
      ok: false,
      fieldErrors: {
        "headers.0.value": [expect.stringMatching(/^Type the value of header X-Api-Token to send it in clear/)],
      },
    });
    expect(readAuthSecrets(await storedRow(webhookId)).headers).toEqual({ "x-api-token": HEADER_SECRET });
  });

  it("a secret name listed twice is a field error naming the row (header names in any case); nothing is saved", async () => {
    const res = await owner.call(webhooksRoute.POST, "/api/v1/webhooks", {
      method: "POST",
      body: hookInput(`${crm.url}/dup`, {
        name: "Twice",
        headers: [
          { name: "X-Api-Token", value: "a-first-token-value" },
          { name: "x-api-token", value: "a-second-token-value" },
        ],
        body: {
          mode: "fields",
          encoding: "json",
          constants: [
            { name: "Authtoken", value: "one-value" },
            { name: "Authtoken", value: "two-value" },
          ],
        },
      }),
    });
    expect(res.status, res.text).toBe(422);
    expect(res.json.error.fields).toEqual({
      "headers.1.name": [
        expect.stringMatching(/^x-api-token is already header 1 \(header names are not case-sensitive\)/),
      ],
      "body.constants.1.name": [expect.stringMatching(/^Authtoken is already constant 1/)],
    });
    const [{ count }] = await env.db.execute<{ count: number }>(
      sql`select count(*)::int as count from webhooks where company_id = ${company.companyId} and name = 'Twice'`,
    );
    expect(count).toBe(0);
  });

  it("a secret left blank on create, or a secret header with placeholders, is a field error", async () => {
    const blank = await owner.call(webhooksRoute.POST, "/api/v1/webhooks", {
      method: "POST",
      body: hookInput(`${crm.url}/blank`, { name: "Blank", headers: [{ name: "X-Api-Token", value: "" }] }),
    });
    expect(blank.status, blank.text).toBe(422);
    expect(blank.json.error.fields).toEqual({
      "headers.0.value": ["Enter the value of header X-Api-Token, or turn off Secret"],
    });
    const templated = await owner.call(webhooksRoute.POST, "/api/v1/webhooks", {
      method: "POST",
      body: hookInput(`${crm.url}/tpl`, {
        name: "Tpl",
        headers: [{ name: "X-Api-Token", value: "{{data.id}}", secret: true }],
      }),
    });
    expect(templated.status, templated.text).toBe(422);
    expect(templated.json.error.fields["headers.0.value"][0]).toMatch(/^A secret value is sent exactly as typed/);
  });

  it("duplicate copies the secrets: the copy's config holds none, its Test sends them", async () => {
    const copied = await duplicateWebhook.run(env.deps, company.owner, { webhookId });
    if (!copied.ok) throw new Error(copied.error);
    const copy = await storedRow(copied.data.webhookId);
    expectNoSecret(copy.config, "the copy's config");
    expect(readAuthSecrets(copy)).toEqual(readAuthSecrets(await storedRow(webhookId)));
    const read = await owner.call(webhookRoute.GET, `/api/v1/webhooks/${copy.id}`, { params: { id: copy.id } });
    const result = await testWebhookDraft.run(env.deps, company.owner, {
      webhookId: copy.id,
      config: read.json.webhook,
    });
    expect(result).toMatchObject({ ok: true, data: { ok: true } });
    expect(crm.received.at(-1)!.headers["x-api-token"]).toBe(HEADER_SECRET);
    expect(JSON.parse(crm.received.at(-1)!.body)).toMatchObject({ Authtoken: AUTHTOKEN, region: REGION_SECRET });
  });
});

describe("a webhook saved before secrets existed (headers and constants in clear, no flags)", () => {
  it("is read masked and delivered unchanged; the start-up step moves its credential-like values into the encrypted column", async () => {
    const legacyConfig = {
      ...hookInput(`${crm.url}/legacy`, { name: "Legacy" }),
      headers: [
        { name: "X-Api-Token", value: HEADER_SECRET },
        { name: "X-Source", value: "old" },
        // Empty: nothing to hide, and sent as it was.
        { name: "X-Session-Token", value: "" },
      ],
      body: {
        mode: "fields",
        encoding: "json",
        fields: [],
        constants: [
          { name: "Authtoken", value: AUTHTOKEN },
          { name: "source", value: "crm" },
        ],
      },
      auth: { type: "none" },
    };
    const [legacy] = await env.db
      .insert(webhooks)
      .values({
        companyId: company.companyId,
        name: "Legacy",
        active: true,
        eventTypes: ["contact.created"],
        url: legacyConfig.url,
        config: legacyConfig,
        signingSecretEncrypted: encryptSecret(generateSigningSecret()),
      })
      .returning();

    const read = await viewer.call(webhookRoute.GET, `/api/v1/webhooks/${legacy.id}`, { params: { id: legacy.id } });
    expect(read.status, read.text).toBe(200);
    expectNoSecret(read.text, "GET of a legacy row");
    expect(read.json.webhook.headers[0]).toEqual({ name: "X-Api-Token", value: "", secret: true, hasValue: true });
    expectNoSecret(webhookFormView(legacy), "edit page form data of a legacy row");

    const attempt = await deliverOnce(legacy.id, "evt_secret_headers_legacy");
    expect(attempt.errorKind).toBeNull();
    expect(crm.received.at(-1)!.headers["x-api-token"]).toBe(HEADER_SECRET);
    expect(crm.received.at(-1)!.headers["x-session-token"]).toBe("");
    expect(JSON.parse(crm.received.at(-1)!.body)).toEqual({ Authtoken: AUTHTOKEN, source: "crm" });
    expectNoSecret(attempt, "the legacy row's attempt");

    const logged: string[] = [];
    expect(await sealClearRowSecrets(env.db, (m) => logged.push(m))).toBeGreaterThanOrEqual(1);
    expect(logged).toEqual([]);
    const sealed = await storedRow(legacy.id);
    expectNoSecret(sealed.config, "the sealed row's config");
    expect(sealed.config).toMatchObject({
      headers: [
        { name: "X-Api-Token", value: "", secret: true },
        { name: "X-Source", value: "old", secret: false },
        { name: "X-Session-Token", value: "", secret: false },
      ],
    });
    expect(readAuthSecrets(sealed)).toEqual({
      headers: { "x-api-token": HEADER_SECRET },
      constants: { Authtoken: AUTHTOKEN },
    });
    // Idempotent: nothing is left to seal.
    expect(await sealClearRowSecrets(env.db)).toBe(0);

    expect((await deliverOnce(legacy.id, "evt_secret_headers_legacy_2")).errorKind).toBeNull();
    expect(crm.received.at(-1)!.headers["x-api-token"]).toBe(HEADER_SECRET);
    expect(crm.received.at(-1)!.headers["x-session-token"]).toBe("");
    expect(JSON.parse(crm.received.at(-1)!.body)).toEqual({ Authtoken: AUTHTOKEN, source: "crm" });
  });
});

describe("no secret value anywhere in the company's rows", () => {
  it.each(["webhooks", "delivery_attempts", "audit_log", "events", "deliveries"])("not in %s", async (table) => {
    const rows = await env.db.execute(
      sql`select to_jsonb(t)::text as row from ${sql.identifier(table)} t where t.company_id = ${company.companyId}`,
    );
    expect(rows.length, table).toBeGreaterThan(0);
    for (const r of rows) expectNoSecret(String(r.row), table);
  });
});
