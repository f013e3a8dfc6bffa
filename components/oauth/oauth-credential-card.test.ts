import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { publicParameters } from "@/lib/actions/oauth-credentials";
import { encryptSecret } from "@/lib/crypto";
import { OAuthCredentialCard, type OAuthCredentialSummary } from "./oauth-credential-card";

const NOW = Date.UTC(2030, 0, 1, 12, 0);

function credential(overrides: Partial<OAuthCredentialSummary> = {}): OAuthCredentialSummary {
  return {
    id: "5f0c7a4e-3b1d-4c2a-9e8f-0a1b2c3d4e5f",
    name: "Partner CRM",
    tokenUrl: "https://auth.example.test/oauth/token",
    method: "POST",
    parameters: publicParameters([
      { name: "client_id", value: "public-client", in: "body", secret: false },
      {
        name: "client_secret",
        valueEncrypted: encryptSecret("very-secret-value", Buffer.alloc(32, 7)),
        in: "body",
        secret: true,
      },
      { name: "audience", value: "", in: "query", secret: false },
    ]),
    grantType: "custom",
    authorizeUrl: "",
    clientId: "",
    hasClientSecret: false,
    scopes: "",
    pkce: true,
    connection: "not_applicable",
    connectedAt: null,
    needsReconnectAt: null,
    needsReconnectReason: null,
    hasToken: false,
    tokenExpiresAt: null,
    lastError: null,
    lastErrorAt: null,
    usedBy: [],
    ...overrides,
  };
}

function render(c: OAuthCredentialSummary): string {
  return renderToStaticMarkup(createElement(OAuthCredentialCard, { credential: c, now: NOW }));
}

describe("OAuthCredentialCard", () => {
  it("shows public parameter values and hides secret ones entirely", () => {
    const c = credential();
    const html = render(c);
    expect(html).toContain("public-client");
    expect(html).toContain("••••••");
    expect(html).toContain("secret, hidden");
    expect(html).not.toContain("very-secret-value");
    // Not even the ciphertext reaches the page or the props of client components.
    expect(JSON.stringify(c)).not.toContain("valueEncrypted");
    expect(html).toContain("(query)");
    expect(html).toContain("No token yet");
    expect(html).toContain("Not used by any webhook");
    // Named by its heading, so a page can find "the card of Partner CRM".
    expect(html).toContain('role="article"');
    expect(html).toContain(`aria-labelledby="oauth-${c.id}"`);
    expect(html).toContain(`<h2 id="oauth-${c.id}"`);
  });

  it("says until when the token is valid, when it expired, and the last error with its time", () => {
    expect(render(credential({ hasToken: true, tokenExpiresAt: new Date(NOW + 3_600_000) }))).toContain(
      "Token valid until <time",
    );
    expect(render(credential({ hasToken: true, tokenExpiresAt: new Date(NOW - 7_200_000) }))).toContain(
      "Token expired <time",
    );
    const failing = render(
      credential({ lastError: "Token endpoint answered 401: invalid_client", lastErrorAt: new Date(NOW - 300_000) }),
    );
    expect(failing).toContain('role="alert"');
    expect(failing).toContain("invalid_client");
    expect(failing).toContain("5 minutes ago");
  });

  it("names the webhooks that use it, with links", () => {
    const html = render(
      credential({
        usedBy: [
          { id: "11111111-1111-4111-8111-111111111111", name: "Deal won → ERP" },
          { id: "22222222-2222-4222-8222-222222222222", name: "New contact" },
        ],
      }),
    );
    expect(html).toContain("Used by 2 webhooks");
    expect(html).toContain('href="/webhooks/11111111-1111-4111-8111-111111111111"');
    expect(html).toContain("New contact");
  });

  it("shows an authorization-code credential's connection: not connected, connected, reconnect needed", () => {
    const code = {
      grantType: "authorization_code" as const,
      authorizeUrl: "https://auth.example.test/oauth/authorize",
      clientId: "hookrelay-app",
      scopes: "contacts.read",
      parameters: [],
    };
    const fresh = render(credential({ ...code, connection: "not_connected" }));
    expect(fresh).toContain("Authorization code");
    expect(fresh).toContain("Not connected yet: click Connect");
    expect(fresh).not.toContain("No token yet");

    const connected = render(
      credential({
        ...code,
        connection: "connected",
        connectedAt: new Date(NOW - 3_600_000),
        hasToken: true,
        tokenExpiresAt: new Date(NOW + 1_800_000),
      }),
    );
    expect(connected).toContain("Connected");
    expect(connected).toContain("Token valid until");
    expect(connected).not.toContain("Reconnect needed");

    const broken = render(
      credential({
        ...code,
        connection: "reconnect_needed",
        needsReconnectAt: new Date(NOW - 60_000),
        needsReconnectReason: "the provider refused the refresh token: invalid_grant",
        lastError: "the provider refused the refresh token: invalid_grant",
      }),
    );
    expect(broken).toContain("Reconnect needed");
    expect(broken).toContain("Because the provider refused the refresh token: invalid_grant.");
    // The reason is said once, not again as a token error.
    expect(broken).not.toContain("The token request failed");
  });
});
