import { expect, test, type Page } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { readExtendedXml } from "../tests/strict-xml";
import { screenshot, signUp, uniqueEmail } from "./fixtures";

async function chooseOption(page: Page, combobox: string, option: string) {
  await page.getByRole("combobox", { name: combobox, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

test("XML (extended) and LeadSquared event names: the example, the live preview, Test and the saved webhook", async ({
  page,
}) => {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await signUp(page, {
      name: "Xena Xml",
      email: uniqueEmail("xena"),
      password: "xena-xml-pass-1",
      company: "Typed Ltd",
    });
    await page.goto("/webhooks/new");
    await page.getByLabel("Name").fill("Leads to the typed receiver");
    await page.getByRole("combobox", { name: "Event" }).click();
    await page.getByRole("textbox", { name: "Search events" }).fill("new lead");
    await page.getByRole("option", { name: /New lead/ }).click();
    await page.getByLabel("URL").fill(`${receiver.url}/leads/add`);
    await page.getByRole("switch", { name: "Add query parameters" }).click();

    // The naming, with the chosen event's name as its example.
    const body = page.getByRole("region", { name: "Body" });
    await expect(body.getByText("lead.created", { exact: true })).toBeVisible();
    await chooseOption(page, "Type naming", "LeadSquared (Opportunity_Post_Update)");
    await expect(body.getByText("Lead_Post_Create", { exact: true })).toBeVisible();

    // XML (extended) in the live preview: typed elements, the LeadSquared name in the body's type.
    await chooseOption(page, "Content type", "XML (extended, with types)");
    await expect(body.getByText(/each element says its type/)).toBeVisible();
    const preview = page.getByLabel("Body preview");
    await expect(preview).toContainText('<event type="hash">');
    await expect(preview).toContainText('<type type="string">Lead_Post_Create</type>');
    await expect(preview).toContainText('<score type="integer">42</score>');
    await body.screenshot({
      path: "e2e/screenshots/webhook-form-body-xml-extended.png",
      style: "[data-form-actions] { visibility: hidden; }",
    });

    // Test sends it: the eventType parameter and the body carry LeadSquared's name.
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const panel = page.getByRole("dialog", { name: "Test result" });
    await expect(panel.getByTestId("test-status")).toHaveText(/200/);
    await panel.getByRole("tab", { name: "Request sent" }).click();
    await expect(panel.getByLabel("Request body")).toContainText("Lead_Post_Create");
    await screenshot(page, "webhook-test-xml-extended", { viewport: true });
    await page.keyboard.press("Escape");
    expect(receiver.received).toHaveLength(1);
    const sent = receiver.received[0];
    const url = new URL(sent.url, "http://receiver");
    expect(url.searchParams.get("entityType")).toBe("Webhook");
    expect(url.searchParams.get("eventType")).toBe("Lead_Post_Create");
    expect(sent.headers["content-type"]).toBe("application/xml; charset=utf-8");
    expect(readExtendedXml(sent.body)).toMatchObject({
      type: "Lead_Post_Create",
      data: { id: "l_2087", score: 42, owner: { email: "grace@example.com" } },
      previous: null,
    });

    // Saved, and read back by the edit page.
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.getByRole("dialog", { name: "Webhook created" }).getByRole("button", { name: "Done" }).click();
    await expect(page).toHaveURL(/\/webhooks$/);
    await page.getByRole("button", { name: "Actions for Leads to the typed receiver" }).click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    await expect(page.getByRole("combobox", { name: "Type naming", exact: true })).toContainText("LeadSquared");
    await expect(page.getByRole("combobox", { name: "Content type", exact: true })).toContainText("XML (extended");
  } finally {
    await receiver.close();
  }
});
