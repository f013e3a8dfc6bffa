import { expect, test, type Page, type Request as PwRequest } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { createApiKey, inviteAndAccept, screenshot, signUp, uniqueEmail } from "./fixtures";

/** Picks the trigger event through the searchable catalog picker. */
async function chooseEvent(page: Page, search: string, label: string) {
  await page.getByRole("combobox", { name: "Event" }).click();
  await page.getByRole("textbox", { name: "Search events" }).fill(search);
  await page.getByRole("option", { name: new RegExp(label) }).click();
}

async function chooseOption(page: Page, combobox: string, option: string) {
  await page.getByRole("combobox", { name: combobox, exact: true }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

test("a new user creates, tests, switches on and feeds a webhook; members without the permission are refused", async ({
  page,
  browser,
  request,
}) => {
  const receiver = await startReceiver(() => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: '{"received":true}',
  }));
  try {
    await signUp(page, {
      name: "Wendy Webhooks",
      email: uniqueEmail("wendy"),
      password: "wendy-hooks-pass-1",
      company: "Hooked Ltd",
    });

    // Empty state with its call to action.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await expect(page.getByRole("heading", { name: "No webhooks yet" })).toBeVisible();
    await screenshot(page, "webhooks-empty");
    await page.getByRole("link", { name: "New webhook" }).click();
    await expect(page.getByRole("heading", { name: "New webhook", level: 1 })).toBeVisible();

    // Basics and trigger: deal stage changed to Won (Freshsales' example).
    await page.getByLabel("Name").fill("Invoice on won deals");
    await page.getByLabel("Description").fill("Creates the invoice in billing.");
    await expect(page.getByRole("switch", { name: "Active" })).not.toBeChecked();
    await chooseEvent(page, "deal upd", "Deal updated");
    await page.getByRole("button", { name: "Add condition" }).click();
    await page.getByLabel("Condition 1 field").fill("stage");
    await chooseOption(page, "Condition 1 operator", "changed to");
    await page.getByLabel("Condition 1 value").fill("Won");

    // Request: URL with a placeholder, a header whose name has a space (refused next to the field).
    await page.getByLabel("URL").fill(`${receiver.url}/invoices?deal=`);
    await page.getByRole("region", { name: "Request" }).getByRole("button", { name: "Insert placeholder" }).click();
    await page.getByRole("menuitem", { name: "{{data.id}}" }).click();
    await expect(page.getByLabel("URL")).toHaveValue(`${receiver.url}/invoices?deal={{data.id}}`);
    await page.getByRole("button", { name: "Add header" }).click();
    await page.getByLabel("Header 1 name").fill("X Source");
    await page.getByLabel("Header 1 value").fill("hookrelay-e2e   ");

    // Auth: basic.
    await chooseOption(page, "Authentication type", "Basic (username and password)");
    await page.getByRole("textbox", { name: "Username" }).fill("billing");
    await page.getByLabel("Password", { exact: true }).fill("billing-password-77");

    // Body: selected parameters, renamed, plus a constant.
    await page.getByRole("tab", { name: "Selected parameters" }).click();
    await expect(page.getByLabel("Field 1", { exact: true })).toBeVisible();
    await page.getByLabel("Field 1", { exact: true }).fill("id");
    await page.getByLabel("Field 1 sent as").fill("deal_id");
    await page.getByLabel("Field 2", { exact: true }).fill("amount");
    await page.getByLabel("Field 3", { exact: true }).fill("owner.email");
    await page.getByRole("button", { name: "Add constant" }).click();
    await page.getByLabel("Constant 1 name").fill("source");
    await page.getByLabel("Constant 1 value").fill("crm");
    await expect(page.getByLabel("Body preview")).toContainText('"deal_id": "d_5531"');

    // Saving with the bad header name: the error sits next to the field and nothing is saved.
    await page.getByRole("button", { name: "Create webhook" }).click();
    const headerError = page.getByText("Header names cannot contain spaces");
    await expect(headerError).toBeVisible();
    await expect(page).toHaveURL(/\/webhooks\/new$/);
    await screenshot(page, "webhook-form-error");
    await page.getByLabel("Header 1 name").fill("X-Source");
    await expect(headerError).toHaveCount(0);

    // Test on the unsaved values: the panel shows the request sent and the 200 with its meaning.
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const panel = page.getByRole("dialog", { name: "Test result" });
    await expect(panel.getByTestId("test-status")).toHaveText(/200/);
    await expect(panel.getByTestId("test-meaning")).toContainText("The receiver accepted the request");
    await expect(panel.getByLabel("Response body")).toContainText('"received": true');
    await panel.getByRole("tab", { name: "Request sent" }).click();
    await expect(panel.getByLabel("Request headers")).toContainText("X-Source");
    await expect(panel.getByLabel("Request headers")).not.toContainText("billing-password-77");
    await expect(panel.getByLabel("Request body")).toContainText('"source": "crm"');
    await screenshot(page, "webhook-test-panel", { viewport: true });
    expect(receiver.received).toHaveLength(1);
    const tested = receiver.received[0];
    expect(tested.url).toBe("/invoices?deal=d_5531");
    expect(tested.headers.authorization).toBe(`Basic ${Buffer.from("billing:billing-password-77").toString("base64")}`);
    expect(tested.headers["x-source"]).toBe("hookrelay-e2e");
    expect(JSON.parse(tested.body)).toEqual({
      deal_id: "d_5531",
      amount: 48000,
      "owner.email": "grace@example.com",
      source: "crm",
    });
    await page.keyboard.press("Escape");

    // Screenshots of each section of the form.
    for (const section of ["Basics", "Trigger", "Request", "Authentication", "Body", "Delivery"]) {
      // The sticky Save/Test bar would cover the section's bottom edge.
      await page.getByRole("region", { name: section }).screenshot({
        path: `e2e/screenshots/webhook-form-${section.toLowerCase()}.png`,
        style: "[data-form-actions] { visibility: hidden; }",
      });
    }
    await screenshot(page, "webhook-form");

    // Save: the signing secret is shown once, then the listing.
    await page.getByRole("button", { name: "Create webhook" }).click();
    const secretDialog = page.getByRole("dialog", { name: "Webhook created" });
    await expect(secretDialog.getByLabel("Signing secret")).toHaveValue(/^whsec_/);
    await screenshot(page, "webhook-created-secret", { viewport: true });
    await secretDialog.getByRole("button", { name: "Done" }).click();
    await expect(page).toHaveURL(/\/webhooks$/);
    const row = page.getByRole("row").filter({ hasText: "Invoice on won deals" });
    await expect(row).toContainText("Deal updated");
    await expect(row).toContainText("Never");

    // Switch it on in place (the toggle saves at once).
    const toggle = row.getByRole("switch", { name: "Invoice on won deals active" });
    let toggleRequest: PwRequest | null = null;
    page.on("request", (r) => {
      if (r.method() === "POST" && r.headers()["next-action"] && r.postData()?.includes('"active":true'))
        toggleRequest = r;
    });
    await toggle.click();
    await expect(page.getByText("Invoice on won deals switched on")).toBeVisible();
    await expect(toggle).toBeChecked();

    // An event over the API: the deal is won → delivered; the listing shows when and the status.
    const key = await createApiKey(page, "CRM");
    const posted = await request.post("/api/v1/events", {
      headers: { authorization: `Bearer ${key}` },
      data: {
        type: "deal.updated",
        data: { id: "d_9001", name: "Big one", amount: 99000, stage: "Won", owner: { email: "sales@example.com" } },
        previous: { stage: "Negotiation" },
      },
    });
    expect(posted.status()).toBe(202);
    await receiver.waitFor(2);
    expect(receiver.received[1].url).toBe("/invoices?deal=d_9001");
    expect(receiver.received[1].headers["webhook-id"]).toBeTruthy();
    await page.goto("/webhooks");
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole("row").filter({ hasText: "Invoice on won deals" })).toContainText(/Success\s*200/, {
        timeout: 1000,
      });
    }).toPass({ timeout: 20_000 });
    await expect(page.getByRole("row").filter({ hasText: "Invoice on won deals" })).toContainText("just now");
    await screenshot(page, "webhooks-listing");

    // Duplicate → "Copy of …", inactive; then delete the copy after confirming.
    await page.getByRole("button", { name: "Actions for Invoice on won deals" }).click();
    await page.getByRole("menuitem", { name: "Duplicate" }).click();
    const copyRow = page.getByRole("row").filter({ hasText: "Copy of Invoice on won deals" });
    await expect(copyRow).toBeVisible();
    await expect(copyRow.getByRole("switch")).not.toBeChecked();
    await page.getByRole("button", { name: "Actions for Copy of Invoice on won deals" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete Copy of Invoice on won deals?" });
    await screenshot(page, "webhook-delete-confirm", { viewport: true });
    await confirm.getByRole("button", { name: "Delete webhook" }).click();
    await expect(copyRow).toHaveCount(0);
    await expect(page.getByRole("row").filter({ hasText: "Invoice on won deals" })).toHaveCount(1);

    // Search narrows the list.
    await page.getByRole("searchbox", { name: "Search webhooks" }).fill("nothing-like-this");
    await expect(page.getByRole("heading", { name: "No webhooks match" })).toBeVisible();
    await page.getByRole("link", { name: "Clear search" }).click();

    // A member without Manage Webhooks (granted View only) sees no create/edit/delete, and the server refuses a raw
    // POST of the action.
    await page.goto("/settings/roles");
    await page.getByRole("checkbox", { name: "Member — View Webhooks" }).check();
    await expect(page.getByRole("checkbox", { name: "Member — View Webhooks" })).toBeChecked();
    const { context: memberContext, member } = await inviteAndAccept(page, browser, {
      email: uniqueEmail("viewer"),
      name: "Vic Viewer",
      password: "vic-viewer-pass-5",
      company: "Hooked Ltd",
    });
    await member.goto("/webhooks");
    const memberRow = member.getByRole("row").filter({ hasText: "Invoice on won deals" });
    await expect(memberRow).toBeVisible();
    await expect(member.getByRole("link", { name: "New webhook" })).toHaveCount(0);
    await expect(memberRow.getByRole("switch")).toBeDisabled();
    await member.getByRole("button", { name: "Actions for Invoice on won deals" }).click();
    await expect(member.getByRole("menuitem", { name: "Delete" })).toHaveCount(0);
    await expect(member.getByRole("menuitem", { name: "Duplicate" })).toHaveCount(0);
    await member.keyboard.press("Escape");
    await member.goto("/webhooks/new");
    await expect(member.getByRole("heading", { name: "You don't have access to Webhooks" })).toBeVisible();

    // Replay the owner's toggle action as the member, switching the webhook off: refused, nothing changes.
    expect(toggleRequest, "the toggle's server action request was seen").not.toBeNull();
    const replay = toggleRequest as unknown as PwRequest;
    const forged = await member.request.post(replay.url(), {
      headers: {
        "next-action": replay.headers()["next-action"],
        "content-type": replay.headers()["content-type"] ?? "text/plain;charset=UTF-8",
        accept: "text/x-component",
      },
      data: (replay.postData() ?? "").replace('"active":true', '"active":false'),
    });
    const answer = await forged.text();
    expect(answer).toContain("forbidden");
    expect(answer).toContain("Manage Webhooks");
    await page.goto("/webhooks");
    await expect(page.getByRole("row").filter({ hasText: "Invoice on won deals" }).getByRole("switch")).toBeChecked();
    await memberContext.close();
  } finally {
    await receiver.close();
  }
});
