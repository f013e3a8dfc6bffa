import { generateSigningSecret } from "@/lib/webhooks";
import { afterAll, describe, expect, it } from "vitest";
import { startReceiver } from "@/tests/receiver";
import { buildRequest } from "./build-request";
import { closeSafeDispatchers, sendSafely } from "./http-client";
import { redactor, secretsOfRequest } from "./redact";
import { webhookSchema } from "@/lib/validations/webhook";

afterAll(() => closeSafeDispatchers());

describe("redactor", () => {
  it("masks every secret, longest first, also URL-, form- and JSON-encoded; leaves short ones and other text alone", () => {
    const redact = redactor(["sk_live_a+b/c=d 1234", "sk_live", "abc", null, undefined]);
    const s = "sk_live_a+b/c=d 1234";
    const text = `raw ${s} url ${encodeURIComponent(s)} form ${new URLSearchParams([["", s]]).toString().slice(1)} json ${JSON.stringify(s)} short abc`;
    const out = redact(text);
    expect(out).not.toContain("a+b/c=d");
    expect(out).not.toContain("a%2Bb");
    expect(out).toContain("short abc");
    expect(out.match(/sk_l••••••1234/g)).toHaveLength(4);
    expect(redactor([])("anything")).toBe("anything");
  });
});

describe("sendSafely redacts what a receiver echoes of the request's secrets", () => {
  it("in the body, the headers and with the query string's API key", async () => {
    const echo = await startReceiver((req) => ({
      status: 200,
      headers: { "x-echo": String(req.headers.authorization), "x-url": req.url },
      body: JSON.stringify({ headers: req.headers, url: req.url }),
    }));
    try {
      for (const auth of [
        { type: "bearer", token: "bearer-secret-0123456789" },
        { type: "basic", username: "u", password: "basic-secret-0123456789" },
        { type: "api_key", in: "query", name: "k", value: "query-secret-0123456789" },
        { type: "api_key", in: "header", name: "X-Custom", value: "header-secret-0123456789" },
      ] as const) {
        const config = webhookSchema.parse({
          name: "h",
          eventType: "deal.updated",
          url: `${echo.url}/in`,
          auth,
          headers: [{ name: "X-Session-Token", value: "custom-header-secret-99" }],
        });
        const built = buildRequest(
          config,
          { id: "e", type: "deal.updated", occurredAt: new Date().toISOString(), data: { id: "d" } },
          { deliveryId: "d", timestamp: new Date(), signingSecrets: [generateSigningSecret()], secrets: {} },
        );
        expect(secretsOfRequest(built.headers).length).toBeGreaterThan(0);
        const out = await sendSafely(
          { method: built.method, url: built.url, headers: built.headers, body: built.body },
          { timeoutMs: 5_000, allowPrivate: true },
        );
        expect(out.status).toBe(200);
        const seen = JSON.stringify({ headers: out.headers, body: out.body });
        for (const secret of [
          "bearer-secret-0123456789",
          "basic-secret-0123456789",
          Buffer.from("u:basic-secret-0123456789").toString("base64"),
          "query-secret-0123456789",
          "header-secret-0123456789",
          "custom-header-secret-99",
        ]) {
          expect(seen, `${auth.type}: ${secret}`).not.toContain(secret);
        }
        expect(seen).toContain("••••");
        // What was sent is untouched: the receiver got the real values.
        expect(JSON.stringify(echo.received.at(-1))).toMatch(/secret-0123456789|QmFzaWM|dTpiYXNpYy1zZWNyZXQ/);
      }
    } finally {
      await echo.close();
    }
  });

  it("a request not built by buildRequest is sent and answered as it is", async () => {
    const echo = await startReceiver((req) => ({ status: 200, body: String(req.headers.authorization) }));
    try {
      const out = await sendSafely(
        { method: "GET", url: `${echo.url}/`, headers: { authorization: "Bearer plain" }, body: null },
        { timeoutMs: 5_000, allowPrivate: true },
      );
      expect(out.body).toBe("Bearer plain");
    } finally {
      await echo.close();
    }
  });
});
