import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { OAuth2Server, type MutableResponse, type TokenRequestIncomingMessage } from "oauth2-mock-server";
import { closeDb } from "@/db";
import { deliveries, notifications, oauthAuthorizations, oauthCredentials } from "@/db/schema";
import { stopWebBoss } from "@/jobs/boss";
import { deliverWebhook } from "@/jobs/deliver-webhook";
import { notifyFailureJob } from "@/jobs/notify-failure";
import { ACTIONS } from "@/lib/actions/registry";
import { decryptSecret } from "@/lib/crypto";
import { closeSafeDispatchers } from "@/lib/delivery/http-client";
import { completeAuthorization } from "@/lib/oauth/connect";
import { apiClient } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { captureLogLines } from "@/lib/log";
import { startReceiver } from "@/tests/receiver";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import * as webhookRoute from "@/app/api/v1/webhooks/[id]/route";
import * as rotateRoute from "@/app/api/v1/webhooks/[id]/rotate-secret/route";
import * as historyRoute from "@/app/api/v1/webhooks/[id]/deliveries/route";
import * as resendRoute from "@/app/api/v1/deliveries/[id]/resend/route";
import * as credentialsRoute from "@/app/api/v1/oauth-credentials/route";
import * as credentialRoute from "@/app/api/v1/oauth-credentials/[id]/route";

/**
 * Issue 7 item 7. A full scenario with every kind of secret — a webhook with a basic-auth
 * password, one with an API-key value in a header and one in the query string, one with a bearer
 * token, one with an OAuth credential (client secret, against oauth2-mock-server), one with an authorization-code
 * credential connected through Connect (its state and code are secrets too) — delivers an
 * event to receivers on 127.0.0.1 that ECHO the request (headers, URL, body) back in their answer;
 * Test is pressed for each webhook; the signing secret is rotated; a delivery fails for good so a
 * failure email is recorded; a token endpoint that echoes the request fails. Then each plaintext
 * secret (and its derived forms: the basic `Authorization` value, URL-encodings) is searched for in
 * every API and action response of the scenario, in every row the company has (delivery attempts'
 * request and response, audit log, notifications — email HTML and text —, events, deliveries,
 * webhooks, credentials), in the jobs, and in everything written to the console. None may appear;
 * masked forms (`basi••••••91a1`) are fine. The signing secrets and the API key are shown once by
 * design (the create and rotate answers, the key's creation): only there.
 *
 * HTML pages are covered by the e2e suite, which reads them in the browser.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();

const BASIC_USER = "crm-sync";
const BASIC_PASSWORD = "basic-pw-PLAIN-7f3a91a1";
const API_KEY_HEADER_VALUE = "apikey-hdr-PLAIN-19c2d4e5";
const API_KEY_QUERY_VALUE = "apikey-qry-PLAIN-6b0e33f7";
const BEARER_TOKEN = "bearer-tok-PLAIN-55e1aa02";
const CLIENT_ID = "hookrelay-secrets-client";
const CLIENT_SECRET = "oauth-client-secret-PLAIN-x9q";

/** Everything the scenario answered (API responses, action results), after the shown-once fields are taken out. */
const responses: string[] = [];
/** The shown-once values and where they were shown. */
const shownOnce: { value: string; where: string }[] = [];
/** Every console line of the scenario. */
const consoleLines: string[] = [];
/** Access and refresh tokens the token endpoint issued. */
const issuedTokens: string[] = [];
/** Connect's one-time state and the authorization code the provider sent back with it. */
const connectSecrets: { state: string; code: string; verifier: string }[] = [];

const server = new OAuth2Server();
let api: ReturnType<typeof apiClient>;
let company: Awaited<ReturnType<typeof makeCompany>>;
let apiKey: string;
const hookIds: Record<string, string> = {};

function record(what: unknown) {
  responses.push(typeof what === "string" ? what : JSON.stringify(what));
}

/** A receiver that answers `status` and echoes the whole request back, in its body and in headers. */
function echoReceiver(status: number) {
  return startReceiver((req) => ({
    status,
    headers: {
      "content-type": "application/json",
      "x-echo-authorization": String(req.headers.authorization ?? ""),
      "x-echo-url": req.url,
    },
    body: JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: req.body }),
  }));
}

let ok200: Awaited<ReturnType<typeof echoReceiver>>;
let fail500: Awaited<ReturnType<typeof echoReceiver>>;
let echoingTokenEndpoint: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  // The app's log lines (lib/log.ts, JSON) and anything still written to the console.
  captureLogLines(consoleLines);
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      consoleLines.push(
        args
          .map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a)))
          .join(" "),
      );
    });
  }
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  server.service.on("beforeResponse", (response: MutableResponse, req: TokenRequestIncomingMessage) => {
    const body = req.body as unknown as Record<string, unknown>;
    if (body.client_secret !== CLIENT_SECRET) {
      response.statusCode = 401;
      response.body = { error: "invalid_client" };
      return;
    }
    const b = response.body as Record<string, unknown>;
    for (const k of ["access_token", "refresh_token", "id_token"])
      if (typeof b[k] === "string") issuedTokens.push(b[k] as string);
  });
  ok200 = await echoReceiver(200);
  fail500 = await echoReceiver(500);
  // A token endpoint that refuses, echoing the request it got (as some do in their error pages).
  echoingTokenEndpoint = await startReceiver((req) => ({
    status: 400,
    headers: { "content-type": "text/plain" },
    body: `bad request: ${req.body} ${req.url}`,
  }));

  company = await makeCompany(env.deps, "Secrets Co");
  const key = await ACTIONS.createApiKey.run(env.deps, company.owner, { name: "scenario" });
  if (!key.ok) throw new Error(key.error);
  apiKey = key.data.key;
  shownOnce.push({ value: apiKey, where: "createApiKey" });
  const { key: _k, ...rest } = key.data;
  record(rest);
  api = apiClient(apiKey);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([ok200?.close(), fail500?.close(), echoingTokenEndpoint?.close(), server.stop()]);
  await closeSafeDispatchers();
  await stopWebBoss();
  await closeDb();
  await env.close();
});

/** An API call; the answer goes to `responses` (with `omit` fields, shown once by design, taken out and remembered). */
async function call<P extends Record<string, string>>(
  handler: (request: Request, context: { params: Promise<P> }) => Promise<Response>,
  path: string,
  init: { method?: string; body?: unknown; params?: P } = {},
  omit?: string,
) {
  const res = await api.call(handler, path, init);
  api.transcript.pop();
  if (omit && res.json && typeof res.json[omit] === "string") {
    shownOnce.push({ value: res.json[omit], where: `${init.method ?? "GET"} ${path} → ${omit}` });
    const { [omit]: _shown, ...rest } = res.json;
    record(rest);
  } else record(res.text);
  return res;
}

function hookBody(name: string, url: string, auth: unknown, extra: Record<string, unknown> = {}) {
  return {
    name,
    active: true,
    eventType: "contact.created",
    url,
    auth,
    // A day's delay: no worker of another test file takes these jobs; this test delivers them itself.
    delaySeconds: 86_400,
    retryPolicy: { type: "preset", preset: "none" },
    headers: [{ name: "X-Trace", value: "{{data.id}}" }],
    ...extra,
  };
}

describe("no plaintext secret leaks anywhere after a full scenario", () => {
  it("runs the scenario", async () => {
    // OAuth credentials: one against the mock provider, one against an endpoint that echoes the request.
    const cred = await call(credentialsRoute.POST, "/api/v1/oauth-credentials", {
      method: "POST",
      body: {
        name: "CRM",
        tokenUrl: `${server.issuer.url}/token`,
        parameters: [
          { name: "client_id", value: CLIENT_ID },
          { name: "client_secret", value: CLIENT_SECRET },
          { name: "grant_type", value: "client_credentials" },
        ],
      },
    });
    expect(cred.status, cred.text).toBe(201);
    const credentialId = cred.json.oauthCredential?.id ?? cred.json.id;
    expect(credentialId).toEqual(expect.any(String));
    const badCred = await call(credentialsRoute.POST, "/api/v1/oauth-credentials", {
      method: "POST",
      body: {
        name: "Echoing IdP",
        tokenUrl: `${echoingTokenEndpoint.url}/token`,
        parameters: [
          { name: "client_id", value: CLIENT_ID },
          { name: "client_secret", value: CLIENT_SECRET },
          { name: "grant_type", value: "client_credentials" },
        ],
      },
    });
    expect(badCred.status, badCred.text).toBe(201);
    const badCredentialId = badCred.json.oauthCredential?.id ?? badCred.json.id;

    // An authorization-code credential, connected: the provider's consent page redirects straight back.
    const codeCred = await call(credentialsRoute.POST, "/api/v1/oauth-credentials", {
      method: "POST",
      body: {
        name: "Connected CRM",
        grantType: "authorization_code",
        tokenUrl: `${server.issuer.url}/token`,
        authorizeUrl: `${server.issuer.url}/authorize`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        scopes: "contacts.read",
      },
    });
    expect(codeCred.status, codeCred.text).toBe(201);
    const codeCredentialId = codeCred.json.oauthCredential.id as string;
    // The consent URL (with the state) goes to the browser by design: it is not recorded as a response.
    const started = await ACTIONS.startOAuthConnect.run(env.deps, company.owner, { credentialId: codeCredentialId });
    if (!started.ok) throw new Error(started.error);
    const consent = await fetch(started.data.authorizeUrl, { redirect: "manual" });
    const back = new URL(consent.headers.get("location")!);
    const params = {
      state: back.searchParams.get("state"),
      code: back.searchParams.get("code"),
      error: null,
      errorDescription: null,
    };
    expect(await completeAuthorization(env.db, company.owner.userId!, params)).toHaveProperty("authorizationId");
    const [attempt] = await env.db
      .select()
      .from(oauthAuthorizations)
      .where(eq(oauthAuthorizations.credentialId, codeCredentialId));
    connectSecrets.push({
      state: params.state!,
      code: params.code!,
      verifier: decryptSecret(attempt.codeVerifierEncrypted!),
    });

    // Webhooks of every auth kind, all answered by the echoing receiver.
    const kinds: [string, unknown, string][] = [
      ["basic", { type: "basic", username: BASIC_USER, password: BASIC_PASSWORD }, ok200.url],
      ["apiKeyHeader", { type: "api_key", in: "header", name: "X-Auth", value: API_KEY_HEADER_VALUE }, ok200.url],
      ["apiKeyQuery", { type: "api_key", in: "query", name: "k", value: API_KEY_QUERY_VALUE }, ok200.url],
      ["bearer", { type: "bearer", token: BEARER_TOKEN }, ok200.url],
      ["oauth", { type: "oauth", credentialId }, ok200.url],
      ["codeOauth", { type: "oauth", credentialId: codeCredentialId }, ok200.url],
      ["failing", { type: "bearer", token: BEARER_TOKEN }, fail500.url],
      ["badOauth", { type: "oauth", credentialId: badCredentialId }, ok200.url],
    ];
    for (const [kind, auth, base] of kinds) {
      const res = await call(
        webhooksRoute.POST,
        "/api/v1/webhooks",
        {
          method: "POST",
          body: hookBody(
            `Hook ${kind}`,
            `${base}/in/{{data.id}}?kind=${kind}`,
            auth,
            kind === "failing" ? { notifyOnFailure: true } : {},
          ),
        },
        "signingSecret",
      );
      expect(res.status, res.text).toBe(201);
      hookIds[kind] = res.json.webhook.id;
    }

    // Reads, a PATCH that keeps the secret (blank), a PUT with a new one.
    await call(webhooksRoute.GET, "/api/v1/webhooks");
    for (const id of Object.values(hookIds)) await call(webhookRoute.GET, `/api/v1/webhooks/${id}`, { params: { id } });
    await call(webhookRoute.PATCH, `/api/v1/webhooks/${hookIds.basic}`, {
      method: "PATCH",
      params: { id: hookIds.basic },
      body: { description: "patched", auth: { type: "basic", username: BASIC_USER, password: "" } },
    });
    const put = await call(webhookRoute.PUT, `/api/v1/webhooks/${hookIds.bearer}`, {
      method: "PUT",
      params: { id: hookIds.bearer },
      body: hookBody("Hook bearer", `${ok200.url}/in/{{data.id}}?kind=bearer`, { type: "bearer", token: BEARER_TOKEN }),
    });
    expect(put.status, put.text).toBe(200);
    await call(credentialsRoute.GET, "/api/v1/oauth-credentials");
    await call(credentialRoute.GET, `/api/v1/oauth-credentials/${credentialId}`, { params: { id: credentialId } });
    await call(credentialRoute.PUT, `/api/v1/oauth-credentials/${credentialId}`, {
      method: "PUT",
      params: { id: credentialId },
      body: {
        name: "CRM",
        tokenUrl: `${server.issuer.url}/token`,
        parameters: [
          { name: "client_id", value: CLIENT_ID },
          { name: "client_secret", value: "" },
          { name: "grant_type", value: "client_credentials" },
        ],
      },
    });

    // An event: one delivery per webhook, sent here through the worker's own handler.
    const posted = await call(eventsRoute.POST, "/api/v1/events", {
      method: "POST",
      body: {
        id: "evt_secrets_1",
        type: "contact.created",
        data: { id: "c-77", name: "Ada" },
        owner: { email: "ada@example.com" },
      },
    });
    expect(posted.status, posted.text).toBe(202);
    const rows = await env.db.select().from(deliveries).where(eq(deliveries.companyId, company.companyId));
    expect(rows).toHaveLength(kinds.length);
    const boss = await env.deps.boss();
    for (const d of rows) await deliverWebhook(env.db, boss, { deliveryId: d.id });
    // The echoing receiver saw every secret (so there was something to leak).
    const seen = JSON.stringify(ok200.received);
    for (const s of [
      Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString("base64"),
      API_KEY_HEADER_VALUE,
      API_KEY_QUERY_VALUE,
      BEARER_TOKEN,
    ])
      expect(seen).toContain(s);
    expect(issuedTokens.length).toBeGreaterThan(0);
    expect(seen).toContain(issuedTokens[0]);

    // History through the API, a resend sent as a manual attempt, the failure email.
    for (const id of Object.values(hookIds))
      await call(historyRoute.GET, `/api/v1/webhooks/${id}/deliveries`, { params: { id } });
    const okDelivery = rows.find((d) => d.webhookId === hookIds.apiKeyQuery)!;
    const resent = await call(resendRoute.POST, `/api/v1/deliveries/${okDelivery.id}/resend`, {
      method: "POST",
      params: { id: okDelivery.id },
    });
    expect(resent.status, resent.text).toBe(202);
    await deliverWebhook(env.db, boss, { deliveryId: okDelivery.id, manual: { userId: company.owner.userId! } });
    const failed = rows.find((d) => d.webhookId === hookIds.failing)!;
    const [failedNow] = await env.db.select().from(deliveries).where(eq(deliveries.id, failed.id));
    expect(failedNow.status).toBe("failed");
    await notifyFailureJob(env.db, boss, { kind: "failed", webhookId: hookIds.failing, deliveryId: failed.id });
    const emails = await env.db.select().from(notifications).where(eq(notifications.companyId, company.companyId));
    expect(emails.some((n) => n.kind === "delivery_failed")).toBe(true);

    // Test, for every webhook with its stored secrets (the form sends blanks), and Test token.
    for (const [kind, id] of Object.entries(hookIds)) {
      const stored = await call(webhookRoute.GET, `/api/v1/webhooks/${id}`, { params: { id } });
      const config = { ...stored.json.webhook };
      const result = await ACTIONS.testWebhookDraft.run(env.deps, company.owner, { webhookId: id, config });
      record(result);
      if (kind !== "badOauth")
        expect(result, `${kind}: ${JSON.stringify(result).slice(0, 300)}`).toMatchObject({
          ok: true,
          data: { ok: true },
        });
    }
    record(await ACTIONS.testOAuthCredential.run(env.deps, company.owner, { credentialId }));
    record(await ACTIONS.testOAuthCredential.run(env.deps, company.owner, { credentialId: codeCredentialId }));
    record(await ACTIONS.getOAuthCredential.run(env.deps, company.owner, { credentialId: codeCredentialId }));
    record(await ACTIONS.testOAuthCredential.run(env.deps, company.owner, { credentialId: badCredentialId }));
    record(await ACTIONS.getOAuthCredential.run(env.deps, company.owner, { credentialId }));
    record(await ACTIONS.listOAuthCredentialsAction.run(env.deps, company.owner, {}));

    // Rotate the signing secret; the new one is shown once.
    const rotated = await call(
      rotateRoute.POST,
      `/api/v1/webhooks/${hookIds.basic}/rotate-secret`,
      { method: "POST", params: { id: hookIds.basic }, body: { overlapHours: 1 } },
      "signingSecret",
    );
    expect(rotated.status, rotated.text).toBe(200);
    expect(shownOnce.filter((s) => s.value.startsWith("whsec_"))).toHaveLength(kinds.length + 1);

    // The stored access token is the one the provider issued, kept encrypted.
    const [stored] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, credentialId));
    expect(stored.accessTokenEncrypted).toBeTruthy();
    expect(issuedTokens).toContain(decryptSecret(stored.accessTokenEncrypted!));
  });

  /** Each secret with the forms it may take in text. */
  function needles(): [string, string][] {
    const plain: [string, string][] = [
      ["basic-auth password", BASIC_PASSWORD],
      ["basic Authorization value", Buffer.from(`${BASIC_USER}:${BASIC_PASSWORD}`).toString("base64")],
      ["API-key value (header)", API_KEY_HEADER_VALUE],
      ["API-key value (query)", API_KEY_QUERY_VALUE],
      ["bearer token", BEARER_TOKEN],
      ["OAuth client secret", CLIENT_SECRET],
      ...issuedTokens.map((t, i): [string, string] => [`OAuth token #${i + 1}`, t]),
      ...connectSecrets.flatMap((c): [string, string][] => [
        ["Connect state", c.state],
        ["authorization code", c.code],
        ["PKCE verifier", c.verifier],
      ]),
      ...shownOnce.map((s): [string, string] => [`shown once in ${s.where}`, s.value]),
    ];
    const out: [string, string][] = [];
    for (const [label, value] of plain) {
      for (const form of new Set([
        value,
        encodeURIComponent(value),
        new URLSearchParams([["", value]]).toString().slice(1),
        JSON.stringify(value).slice(1, -1),
      ]))
        out.push([label, form]);
    }
    return out;
  }

  function leaks(where: string, texts: string[]): string[] {
    const found: string[] = [];
    for (const [label, needle] of needles()) {
      texts.forEach((text, i) => {
        const at = text.indexOf(needle);
        if (at >= 0)
          found.push(`${label} in ${where}[${i}]: …${text.slice(Math.max(0, at - 80), at + needle.length + 20)}…`);
      });
    }
    return found;
  }

  it("not in any API or action response (the shown-once fields aside)", () => {
    expect(responses.length).toBeGreaterThan(30);
    expect(leaks("responses", responses)).toEqual([]);
  });

  it.each([
    "delivery_attempts",
    "audit_log",
    "notifications",
    "events",
    "deliveries",
    "webhooks",
    "oauth_credentials",
    "oauth_authorizations",
    "api_keys",
    "memberships",
    "bulk_retries",
  ])("not in %s", async (table) => {
    const rows = await env.db.execute(
      sql`select to_jsonb(t)::text as row from ${sql.identifier(table)} t where t.company_id = ${company.companyId}`,
    );
    if (["delivery_attempts", "audit_log", "notifications", "events"].includes(table))
      expect(rows.length, table).toBeGreaterThan(0);
    expect(
      leaks(
        table,
        rows.map((r) => String(r.row)),
      ),
    ).toEqual([]);
  });

  it("the attempts hold the requests and the echoed answers, masked", async () => {
    const rows = await env.db.execute(
      sql`select request_url, request_headers::text as rh, response_headers::text as sh, response_body from delivery_attempts where company_id = ${company.companyId} and response_status is not null`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const all = rows.map((r) => `${r.request_url} ${r.rh} ${r.sh} ${r.response_body}`).join("\n");
    expect(all).toContain("••••"); // the masked forms are there instead
    expect(all).toContain("x-echo-authorization");
  });

  it("not in the jobs", async () => {
    const rows = await env.db.execute(
      sql`select data::text as data from pgboss.job where data::text like ${`%${company.companyId}%`} or data->>'webhookId' in (select id::text from webhooks where company_id = ${company.companyId}) or data->>'deliveryId' in (select id::text from deliveries where company_id = ${company.companyId})`,
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(
      leaks(
        "pgboss.job",
        rows.map((r) => String(r.data)),
      ),
    ).toEqual([]);
  });

  it("not in anything written to the console", () => {
    expect(leaks("console", consoleLines)).toEqual([]);
  });

  it("the shown-once values were shown exactly where they belong", () => {
    expect(shownOnce.map((s) => s.where.replace(/\/[0-9a-f-]{36}\//, "/{id}/"))).toEqual([
      "createApiKey",
      ...Array.from({ length: 8 }, () => "POST /api/v1/webhooks → signingSecret"),
      "POST /api/v1/webhooks/{id}/rotate-secret → signingSecret",
    ]);
  });
});
