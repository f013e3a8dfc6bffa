import { expect, test } from "@playwright/test";
import { OAuth2Server } from "oauth2-mock-server";
import { createApiKey, screenshot, signUp, uniqueEmail } from "./fixtures";

test("OAuth credentials: both calls to action when empty, create, Test token, and no deleting while a webhook uses it", async ({
  page,
  request,
}) => {
  const server = new OAuth2Server();
  await server.issuer.keys.generate("RS256");
  await server.start(0, "127.0.0.1");
  try {
    await signUp(page, {
      name: "Olive OAuth",
      email: uniqueEmail("oauth"),
      password: "olive-oauth-pass-3",
      company: "Token Co",
    });
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "OAuth credentials" }).click();
    await expect(page.getByRole("button", { name: "New OAuth credential" })).toHaveCount(2);
    await screenshot(page, "oauth-empty");

    await page.getByRole("button", { name: "New OAuth credential" }).first().click();
    const dialog = page.getByRole("dialog", { name: "New OAuth credential" });
    await dialog.getByLabel("Name", { exact: true }).fill("Partner CRM");
    await dialog.getByLabel("Token URL").fill(`${server.issuer.url}/token`);
    await dialog.getByLabel("Parameter 1 value").fill("hookrelay-client");
    await dialog.getByLabel("Parameter 2 value").fill("client-secret-value-9");
    await screenshot(page, "oauth-form", { viewport: true });
    await dialog.getByRole("button", { name: "Save" }).click();
    const card = page.getByRole("article", { name: "Partner CRM" });
    await expect(card).toBeVisible();
    await expect(card).not.toContainText("client-secret-value-9");
    expect(await page.content()).not.toContain("client-secret-value-9");

    await card.getByRole("button", { name: "Test token" }).click();
    await expect(page.getByText(/Token received, valid until/)).toBeVisible();
    await expect(card).toContainText("Token valid until");
    await screenshot(page, "oauth-list");

    // A webhook uses it: deleting is refused and names the webhook.
    const key = await createApiKey(page, "ops");
    const listed = (await (
      await request.get("/api/v1/oauth-credentials", { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { oauthCredentials: { id: string; name: string }[] };
    expect(JSON.stringify(listed)).not.toContain("client-secret-value-9");
    const id = listed.oauthCredentials.find((c) => c.name === "Partner CRM")?.id;
    expect(id).toBeTruthy();
    const hook = await request.post("/api/v1/webhooks", {
      headers: { authorization: `Bearer ${key}` },
      data: {
        name: "CRM sync",
        eventType: "contact.created",
        url: "http://127.0.0.1:9/x",
        auth: { type: "oauth", credentialId: id },
      },
    });
    expect(hook.status()).toBe(201);
    await page.goto("/oauth");
    await card.getByRole("button", { name: "Delete" }).click();
    // The dialog names the webhook, and its Delete stays disabled while the credential is in use (the server refuses
    // it too: lib/actions/webhooks.test.ts).
    await expect(page.getByRole("alertdialog")).toContainText("used by the webhook CRM sync");
    await expect(page.getByRole("alertdialog").getByRole("button", { name: "Delete credential" })).toBeDisabled();
    await page.getByRole("alertdialog").getByRole("button", { name: "Cancel" }).click();
    await expect(card).toBeVisible();
  } finally {
    await server.stop();
  }
});
