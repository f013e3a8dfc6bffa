import { generateSigningSecret } from "@/lib/webhooks";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuth2Server } from "oauth2-mock-server";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { oauthCredentials } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto";
import type { WebhookInput } from "@/lib/validations/webhook";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver } from "@/tests/receiver";
import { closeSafeDispatchers } from "./http-client";
import { testWebhook, type TestResult, type TestSent } from "./test-webhook";

process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
const env = testEnvironment();
let company: Awaited<ReturnType<typeof makeCompany>>;

beforeAll(async () => {
  company = await makeCompany(env.deps, "Test Button Co");
});
afterAll(async () => {
  await closeSafeDispatchers();
  await env.close();
});

function form(input: Partial<WebhookInput> & { url: string }): WebhookInput {
  return { name: "Unsaved hook", eventType: "deal.updated", ...input };
}

function sent(result: TestResult): TestSent {
  if (!result.ok) throw new Error(`expected a sent test, got ${JSON.stringify(result)}`);
  return result;
}

/** A receiver that echoes the request's headers back, in its body and in a response header. */
function echo() {
  return startReceiver((req) => ({
    status: 200,
    headers: { "content-type": "application/json", "x-echo-auth": String(req.headers.authorization ?? "") },
    body: JSON.stringify({ headers: req.headers, url: req.url }),
  }));
}

describe("testWebhook", () => {
  it("sends the catalog sample with the unsaved values and shows the 200 with its meaning", async () => {
    const receiver = await startReceiver(() => ({ status: 200, headers: { "x-request-id": "r-1" }, body: "accepted" }));
    try {
      const signingSecret = generateSigningSecret();
      const result = sent(
        await testWebhook(
          env.db,
          company.companyId,
          form({
            url: `${receiver.url}/deals/{{data.id}}`,
            method: "PUT",
            headers: [{ name: "X-Source", value: "hookrelay {{event.type}}" }],
          }),
          {
            allowPrivate: true,
            signingSecret,
          },
        ),
      );
      expect(receiver.received).toHaveLength(1);
      const req = receiver.received[0];
      expect(req.method).toBe("PUT");
      expect(req.url).toBe("/deals/d_5531");
      expect(req.headers["x-source"]).toBe("hookrelay deal.updated");
      const payload = new StandardWebhook(signingSecret).verify(req.body, {
        "webhook-id": String(req.headers["webhook-id"]),
        "webhook-timestamp": String(req.headers["webhook-timestamp"]),
        "webhook-signature": String(req.headers["webhook-signature"]),
      });
      expect(payload).toMatchObject({
        type: "deal.updated",
        data: { id: "d_5531", stage: "Won" },
        previous: { stage: "Negotiation" },
      });

      expect(result.request).toMatchObject({ method: "PUT", url: `${receiver.url}/deals/d_5531`, body: req.body });
      expect(result.request.headers).toMatchObject({
        "X-Source": "hookrelay deal.updated",
        "Content-Type": "application/json",
      });
      expect(result.response).toMatchObject({
        status: 200,
        statusMeaning: "200 OK: The receiver accepted the request.",
        body: "accepted",
        bodyTruncated: false,
      });
      expect(result.response?.headers["x-request-id"]).toBe("r-1");
      expect(result.response?.durationMs).toBeGreaterThanOrEqual(0);
      expect(result.error).toBeNull();
      expect(JSON.stringify(result)).not.toContain(signingSecret);
    } finally {
      await receiver.close();
    }
  });

  it("tests a draft that has no name yet, with a record edited in the Test panel", async () => {
    const receiver = await startReceiver();
    try {
      const draft = { eventType: "deal.updated", url: `${receiver.url}/deals/{{data.id}}`, name: "  " };
      const edited = { id: "d_edited", stage: "Lost", owner: { email: "" } };
      const result = sent(await testWebhook(env.db, company.companyId, draft, { allowPrivate: true, sample: edited }));
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0].url).toBe("/deals/d_edited");
      expect(JSON.parse(receiver.received[0].body)).toMatchObject({ type: "deal.updated", data: edited });
      expect(result.sample).toEqual(edited);

      // Without an edited record, the event type's sample is sent and handed back for editing.
      const plain = sent(
        await testWebhook(env.db, company.companyId, { ...draft, name: undefined }, { allowPrivate: true }),
      );
      expect(plain.sample).toMatchObject({ id: "d_5531", stage: "Won" });
      expect(receiver.received[1].url).toBe("/deals/d_5531");
    } finally {
      await receiver.close();
    }
  });

  it("signs with a throwaway whsec_ secret when none is given", async () => {
    const receiver = await startReceiver();
    try {
      sent(await testWebhook(env.db, company.companyId, form({ url: receiver.url }), { allowPrivate: true }));
      expect(receiver.received[0].headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    } finally {
      await receiver.close();
    }
  });

  it("explains a 404 in Freshsales' plain words", async () => {
    const receiver = await startReceiver(() => ({ status: 404, body: "no such hook" }));
    try {
      const result = sent(
        await testWebhook(env.db, company.companyId, form({ url: `${receiver.url}/missing` }), { allowPrivate: true }),
      );
      expect(result.response).toMatchObject({
        status: 404,
        body: "no such hook",
        statusMeaning: "404 Not found: The requested resource is not available at the moment.",
      });
      expect(result.error).toEqual({
        kind: "http_status",
        message: "The receiver answered HTTP 404",
        meaning: "404 Not found: The requested resource is not available at the moment.",
      });
    } finally {
      await receiver.close();
    }
  });

  it.each([
    {
      label: "basic password",
      auth: { type: "basic" as const, username: "crm", password: "p@ss-w0rd-secret" },
      secrets: ["p@ss-w0rd-secret", Buffer.from("crm:p@ss-w0rd-secret").toString("base64")],
    },
    {
      label: "bearer token",
      auth: { type: "bearer" as const, token: "tok_live_9f8e7d6c5b4a" },
      secrets: ["tok_live_9f8e7d6c5b4a"],
    },
    {
      label: "API key in the query",
      auth: { type: "api_key" as const, in: "query" as const, name: "api_key", value: "key+with/odd=chars" },
      secrets: ["key+with/odd=chars", encodeURIComponent("key+with/odd=chars")],
    },
  ])("never returns the $label, even when the receiver echoes it back", async ({ auth, secrets }) => {
    const receiver = await echo();
    try {
      const result = sent(
        await testWebhook(
          env.db,
          company.companyId,
          form({ url: receiver.url, auth, headers: [{ name: "X-Api-Token", value: "custom-header-secret" }] }),
          { allowPrivate: true },
        ),
      );
      const req = receiver.received[0];
      if (auth.type === "basic") expect(req.headers.authorization).toBe(`Basic ${secrets[1]}`);
      if (auth.type === "bearer") expect(req.headers.authorization).toBe(`Bearer ${secrets[0]}`);
      if (auth.type === "api_key") expect(new URL(req.url, receiver.url).searchParams.get("api_key")).toBe(secrets[0]);
      expect(req.headers["x-api-token"]).toBe("custom-header-secret");

      expect(result.response?.status).toBe(200);
      const json = JSON.stringify(result);
      for (const s of [...secrets, "custom-header-secret"]) expect(json).not.toContain(s);
      if (auth.type !== "api_key") expect(result.request.headers.Authorization).toMatch(/••••••/);
      else expect(result.request.url).toMatch(/api_key=.*%E2%80%A2/);
    } finally {
      await receiver.close();
    }
  });

  it("names the fields of invalid input and sends nothing", async () => {
    const receiver = await startReceiver();
    try {
      const result = await testWebhook(
        env.db,
        company.companyId,
        {
          name: "Hook",
          eventType: "deal.updated",
          url: "ftp://example.com/x",
          headers: [{ name: "X Api Key", value: "1" }],
        },
        { allowPrivate: true },
      );
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.fieldErrors.url).toEqual(["The URL must start with http:// or https://"]);
      expect(result.fieldErrors["headers.0.name"][0]).toBe(
        "Header names cannot contain spaces (HTTP does not allow them); use a dash, e.g. X-Api-Key",
      );

      const missing = await testWebhook(env.db, company.companyId, { name: "Hook", eventType: "deal.updated" });
      expect(!missing.ok && missing.fieldErrors.url).toEqual(["URL is required"]);

      const unknownType = await testWebhook(
        env.db,
        company.companyId,
        form({ url: receiver.url, eventType: "deal.exploded" }),
        { allowPrivate: true },
      );
      expect(unknownType).toMatchObject({
        ok: false,
        fieldErrors: { eventTypes: ['"deal.exploded" is not an event type of the catalog or your company'] },
      });

      const badTemplate = await testWebhook(
        env.db,
        company.companyId,
        form({ url: receiver.url, body: { mode: "template", encoding: "json", template: '{"a": {{ data.id ' } }),
        { allowPrivate: true },
      );
      expect(badTemplate.ok).toBe(false);
      expect(!badTemplate.ok && Object.keys(badTemplate.fieldErrors)).toEqual(["body.template"]);

      const noToken = await testWebhook(
        env.db,
        company.companyId,
        form({ url: receiver.url, auth: { type: "bearer" } }),
        { allowPrivate: true },
      );
      expect(noToken).toMatchObject({ ok: false, fieldErrors: { "auth.token": ["The bearer token is missing"] } });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it("uses the saved secret where the form leaves it blank", async () => {
    const receiver = await echo();
    try {
      const result = sent(
        await testWebhook(env.db, company.companyId, form({ url: receiver.url, auth: { type: "bearer", token: "" } }), {
          allowPrivate: true,
          storedSecrets: { bearerToken: "stored-bearer-token-1" },
        }),
      );
      expect(receiver.received[0].headers.authorization).toBe("Bearer stored-bearer-token-1");
      expect(JSON.stringify(result)).not.toContain("stored-bearer-token-1");
    } finally {
      await receiver.close();
    }
  });

  it("refuses a loopback address when private targets are not allowed", async () => {
    const receiver = await startReceiver();
    try {
      const result = sent(
        await testWebhook(env.db, company.companyId, form({ url: `${receiver.url}/x` }), { allowPrivate: false }),
      );
      expect(result.response).toBeNull();
      expect(result.error).toMatchObject({
        kind: "blocked_address",
        meaning: "Blocked address: The URL points to a private or internal address, which webhooks may not call.",
      });
      expect(result.request.url).toBe(`${receiver.url}/x`);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it("reports a timeout when the receiver never answers", async () => {
    const receiver = await startReceiver(() => "hang");
    try {
      const result = sent(
        await testWebhook(env.db, company.companyId, form({ url: receiver.url, timeoutSeconds: 1 }), {
          allowPrivate: true,
        }),
      );
      expect(result.response).toBeNull();
      expect(result.error).toMatchObject({
        kind: "timeout",
        meaning: "Timed out: The receiver did not answer within the webhook's timeout.",
      });
    } finally {
      await receiver.close();
    }
  });

  describe("with OAuth", () => {
    const oauth = new OAuth2Server();
    beforeAll(async () => {
      await oauth.issuer.keys.generate("RS256");
      await oauth.start(0, "127.0.0.1");
    });
    afterAll(() => oauth.stop());

    async function credential(companyId: string) {
      const [cred] = await env.db
        .insert(oauthCredentials)
        .values({
          companyId,
          name: "CRM OAuth",
          tokenUrl: `${oauth.issuer.url}/token`,
          parameters: [
            { name: "client_id", value: "hookrelay", in: "body", secret: false },
            { name: "client_secret", valueEncrypted: encryptSecret("oauth-client-secret"), in: "body", secret: true },
            { name: "grant_type", value: "client_credentials", in: "body", secret: false },
          ],
        })
        .returning();
      return cred;
    }

    it("fetches the credential's token, sends it as Bearer and masks it", async () => {
      const receiver = await echo();
      try {
        const cred = await credential(company.companyId);
        const result = sent(
          await testWebhook(
            env.db,
            company.companyId,
            form({ url: receiver.url, auth: { type: "oauth", credentialId: cred.id } }),
            { allowPrivate: true },
          ),
        );
        const authorization = String(receiver.received[0].headers.authorization);
        expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        const token = authorization.slice("Bearer ".length);
        expect(result.response?.status).toBe(200);
        expect(JSON.stringify(result)).not.toContain(token);
        expect(JSON.stringify(result)).not.toContain("oauth-client-secret");
      } finally {
        await receiver.close();
      }
    });

    it("does not use another company's credential", async () => {
      const other = await makeCompany(env.deps, "Other Co");
      const cred = await credential(other.companyId);
      const result = await testWebhook(
        env.db,
        company.companyId,
        form({ url: "http://127.0.0.1:9/x", auth: { type: "oauth", credentialId: cred.id } }),
        { allowPrivate: true },
      );
      expect(result).toMatchObject({
        ok: false,
        fieldErrors: { "auth.credentialId": ["The OAuth credential no longer exists"] },
      });
      const unknown = await testWebhook(
        env.db,
        company.companyId,
        form({ url: "http://127.0.0.1:9/x", auth: { type: "oauth", credentialId: randomUUID() } }),
        { allowPrivate: true },
      );
      expect(unknown.ok).toBe(false);
    });
  });
});
