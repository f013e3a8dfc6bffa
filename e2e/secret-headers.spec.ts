import { expect, test, type Page } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { screenshot, signUp, uniqueEmail } from "./fixtures";

/**
 * Issue 13 item 3 in the browser: a header and a constant named like credentials are switched to
 * secret as they are typed; Test and the receiver get the real values while the panel shows them
 * masked; the edit page never carries them (a saved secret is an empty field that says so).
 */
async function chooseEvent(page: Page, search: string, label: string) {
  await page.getByRole("combobox", { name: "Event" }).click();
  await page.getByRole("textbox", { name: "Search events" }).fill(search);
  await page.getByRole("option", { name: new RegExp(label) }).click();
}

test("secret headers and constants: switched on by their names, sent, masked, never sent back to the browser", async ({
  page,
}) => {
  const receiver = await startReceiver(() => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: "{}",
  }));
  const TOKEN = "tok-e2e-secret-4821";
  const AUTHTOKEN = "vt-authtoken-9931";
  try {
    await signUp(page, {
      name: "Sid Secret",
      email: uniqueEmail("secret"),
      password: "sid-secret-pass-1",
      company: "Secret Co",
    });
    await page.goto("/webhooks/new");
    await page.getByLabel("Name").fill("Contacts to Vtiger");
    await chooseEvent(page, "new contact", "New contact");
    await page.getByLabel("URL").fill(`${receiver.url}/vtiger`);

    await page.getByRole("button", { name: "Add header" }).click();
    await page.getByLabel("Header 1 name").fill("X-Api-Token");
    await page.getByLabel("Header 1 value").fill(TOKEN);
    await expect(page.getByRole("switch", { name: "Keep X-Api-Token secret" })).toBeChecked();
    await page.getByRole("button", { name: "Add header" }).click();
    await page.getByLabel("Header 2 name").fill("X-Source");
    await page.getByLabel("Header 2 value").fill("crm");
    await expect(page.getByRole("switch", { name: "Keep X-Source secret" })).not.toBeChecked();

    await page.getByRole("tab", { name: "Selected parameters" }).click();
    await page.getByLabel("Field 1", { exact: true }).fill("id");
    await page.getByRole("button", { name: "Add constant" }).click();
    await page.getByLabel("Constant 1 name").fill("authtoken");
    await page.getByLabel("Constant 1 value").fill(AUTHTOKEN);
    await expect(page.getByRole("switch", { name: "Keep authtoken secret" })).toBeChecked();
    await page.getByRole("region", { name: "Request" }).screenshot({
      path: "e2e/screenshots/webhook-form-secret-headers.png",
      style: "[data-form-actions] { visibility: hidden; }",
    });

    await page.getByRole("button", { name: "Test", exact: true }).click();
    const panel = page.getByRole("dialog", { name: "Test result" });
    await expect(panel.getByTestId("test-status")).toHaveText(/200/);
    await panel.getByRole("tab", { name: "Request sent" }).click();
    await expect(panel.getByLabel("Request headers")).toContainText("X-Api-Token");
    await expect(panel.getByLabel("Request headers")).not.toContainText(TOKEN);
    await expect(panel.getByLabel("Request body")).toContainText('"authtoken"');
    await expect(panel.getByLabel("Request body")).not.toContainText(AUTHTOKEN);
    expect(receiver.received[0].headers["x-api-token"]).toBe(TOKEN);
    expect(JSON.parse(receiver.received[0].body).authtoken).toBe(AUTHTOKEN);
    await page.keyboard.press("Escape");

    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.getByRole("dialog", { name: "Webhook created" }).getByRole("button", { name: "Done" }).click();
    await expect(page).toHaveURL(/\/webhooks$/);

    // The edit page: the secrets are not in the HTML nor in the RSC payload it was built from.
    const responses: string[] = [];
    page.on("response", async (r) => {
      if (r.url().includes("/webhooks/")) responses.push(await r.text().catch(() => ""));
    });
    await page.getByRole("link", { name: "Contacts to Vtiger" }).click();
    await expect(page.getByLabel("Header 1 name")).toHaveValue("X-Api-Token");
    await expect(page.getByLabel("Header 1 value")).toHaveValue("");
    await expect(page.getByLabel("Header 1 value")).toHaveAttribute("placeholder", "Saved — type to replace");
    await expect(page.getByLabel("Header 2 value")).toHaveValue("crm");
    await expect(page.getByLabel("Constant 1 value")).toHaveValue("");
    const html = await page.content();
    for (const secret of [TOKEN, AUTHTOKEN]) {
      expect(html).not.toContain(secret);
      for (const body of responses) expect(body).not.toContain(secret);
    }
    await page.getByRole("region", { name: "Request" }).screenshot({
      path: "e2e/screenshots/webhook-edit-secret-headers.png",
      style: "[data-form-actions] { visibility: hidden; }",
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel("Header 1 value").scrollIntoViewIfNeeded();
    await screenshot(page, "webhook-edit-secret-headers-phone", { viewport: true });
  } finally {
    await receiver.close();
  }
});
