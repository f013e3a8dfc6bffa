import { expect, test } from "@playwright/test";
import { OAuth2Server, type MutableResponse, type TokenRequestIncomingMessage } from "oauth2-mock-server";
import { startReceiver } from "../tests/receiver";
import { createApiKey, screenshot, signUp, uniqueEmail } from "./fixtures";

/**
 * Issue 15 item 3: the authorization-code grant end to end. An oauth2-mock-server stands in for the provider (its
 * /authorize redirects straight back with a code, as if the user had allowed access); the spec's own hooks check
 * the client secret, make its tokens expire within Hookrelay's 60-second margin (so every use refreshes) and,
 * later, refuse refresh tokens.
 */
test("authorization code: create, Connect, deliver with the Bearer token, refresh refused → Reconnect needed → Reconnect", async ({
  page,
  baseURL,
}) => {
  const CLIENT_SECRET = "e2e-connect-client-secret";
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  const issued: string[] = [];
  const grants: string[] = [];
  let refuseRefresh = false;
  server.service.on("beforeResponse", (response: MutableResponse, req: TokenRequestIncomingMessage) => {
    const body = { ...req.body } as Record<string, unknown>;
    grants.push(String(body.grant_type));
    if (body.client_secret !== CLIENT_SECRET) {
      response.statusCode = 401;
      response.body = { error: "invalid_client" };
    } else if (refuseRefresh && body.grant_type === "refresh_token") {
      response.statusCode = 400;
      response.body = { error: "invalid_grant", error_description: "Refresh token revoked by the e2e" };
    } else {
      const answer = response.body as Record<string, unknown>;
      answer.expires_in = 30;
      issued.push(String(answer.access_token));
    }
  });
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await signUp(page, {
      name: "Connie Connect",
      email: uniqueEmail("connect"),
      password: "connie-connect-pass-7",
      company: "Connect Co",
    });
    await page.goto("/oauth");
    await page.getByRole("button", { name: "New OAuth credential" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New OAuth credential" });
    await dialog.getByLabel("Name", { exact: true }).fill("Partner CRM");
    // Seed 003's parameters typed first: switching to Authorization code moves client_id / client_secret over.
    await dialog.getByLabel("Parameter 1 value").fill("hookrelay-e2e");
    await dialog.getByLabel("Parameter 2 value").fill(CLIENT_SECRET);
    await dialog.getByRole("combobox", { name: "Grant type" }).click();
    await page.getByRole("option", { name: "Authorization code (Connect)" }).click();
    await expect(dialog.getByLabel("Client ID")).toHaveValue("hookrelay-e2e");
    await expect(dialog.getByLabel("Parameter 1 key")).toHaveCount(0);
    await dialog.getByLabel("Authorize URL").fill(`${server.issuer.url}/authorize`);
    await dialog.getByLabel("Token URL").fill(`${server.issuer.url}/token`);
    await dialog.getByLabel("Scopes").fill("contacts.read offline_access");
    await expect(dialog.getByRole("switch", { name: "PKCE (S256)" })).toBeChecked();
    await expect(dialog).toContainText(`${baseURL}/api/oauth/callback`);
    await screenshot(page, "oauth-connect-form", { viewport: true });
    await dialog.getByRole("button", { name: "Save" }).click();

    const card = page.getByRole("article", { name: "Partner CRM" });
    await expect(card).toContainText("Not connected yet");
    expect(await page.content()).not.toContain(CLIENT_SECRET);

    // Connect: to the provider's consent page and straight back.
    await card.getByRole("button", { name: "Connect", exact: true }).click();
    await expect(page).toHaveURL(/\/oauth$/);
    await expect(page.getByText("Partner CRM connected")).toBeVisible();
    await expect(card).toContainText("Connected");
    expect(grants).toEqual(["authorization_code"]);
    await screenshot(page, "oauth-connected");

    // A webhook using it; Test sends the Bearer token (refreshed first: the token expires within the margin).
    const key = await createApiKey(page, "connect");
    const listed = (await (
      await page.request.get("/api/v1/oauth-credentials", { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { oauthCredentials: { id: string; name: string; connection: string }[] };
    const cred = listed.oauthCredentials.find((c) => c.name === "Partner CRM");
    expect(cred?.connection).toBe("connected");
    const created = await page.request.post("/api/v1/webhooks", {
      headers: { authorization: `Bearer ${key}` },
      data: {
        name: "CRM contacts",
        eventType: "contact.created",
        url: `${receiver.url}/contacts`,
        auth: { type: "oauth", credentialId: cred!.id },
      },
    });
    expect(created.status()).toBe(201);
    const webhookId = ((await created.json()) as { webhook: { id: string } }).webhook.id;

    await page.goto(`/webhooks/${webhookId}`);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const panel = page.getByRole("dialog", { name: "Test result" });
    await expect(panel.getByTestId("test-status")).toHaveText(/200/);
    expect(receiver.received).toHaveLength(1);
    const sent = String(receiver.received[0].headers.authorization);
    expect(sent).toMatch(/^Bearer .+/);
    expect(issued).toContain(sent.slice("Bearer ".length));
    expect(grants).toEqual(["authorization_code", "refresh_token"]);
    await page.keyboard.press("Escape");

    // The provider stops accepting the refresh token: the next use marks the credential.
    refuseRefresh = true;
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await expect(page.getByText(/needs to be reconnected/).first()).toBeVisible();
    expect(receiver.received).toHaveLength(1);

    await page.goto("/webhooks");
    await expect(page.getByRole("row", { name: /CRM contacts/ })).toContainText("Reconnect needed");
    await page.goto(`/webhooks/${webhookId}`);
    await expect(page.getByRole("alert").filter({ hasText: "Reconnect needed" })).toContainText("Partner CRM");
    await page.goto("/oauth");
    await expect(card).toContainText("Reconnect needed");
    await expect(card).toContainText("invalid_grant: Refresh token revoked by the e2e");
    await screenshot(page, "oauth-reconnect-needed");

    // Reconnect clears it.
    refuseRefresh = false;
    await card.getByRole("button", { name: "Reconnect" }).click();
    await expect(page.getByText("Partner CRM reconnected")).toBeVisible();
    await expect(card).not.toContainText("Reconnect needed");
    await page.goto("/webhooks");
    await expect(page.getByRole("row", { name: /CRM contacts/ })).not.toContainText("Reconnect needed");
  } finally {
    await receiver.close();
    await server.stop();
  }
});
