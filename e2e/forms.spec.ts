import { expect, test, type Locator, type Page } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { inviteAndAccept, screenshot, signUp, uniqueEmail } from "./fixtures";

/** Issue 16 items 3 and 4: forms that keep their user, and controls that say what they do. */

async function chooseEvent(page: Page, search: string, label: string) {
  await page.getByRole("combobox", { name: "Event" }).click();
  await page.getByRole("textbox", { name: "Search events" }).fill(search);
  await page.getByRole("option", { name: new RegExp(label) }).click();
}

/** The element's top on the page (not the viewport: a click may scroll). */
function pageTop(el: Locator) {
  return el.evaluate((node) => node.getBoundingClientRect().top + window.scrollY);
}

/** Where the caret is in the focused field (null when `field` does not have the focus). */
function caret(field: Locator) {
  return field.evaluate((el: HTMLInputElement) => (document.activeElement === el ? el.selectionStart : null));
}

test("the webhook form keeps its user: quiet tab-through, caret kept, {{ suggestions, Test without a name, leave asks", async ({
  page,
}) => {
  const receiver = await startReceiver();
  try {
    await signUp(page, {
      name: "Fran Forms",
      email: uniqueEmail("fran"),
      password: "fran-forms-pass-1",
      company: "Forms Ltd",
    });
    await page.goto("/webhooks/new");
    await expect(page.getByRole("heading", { name: "New webhook", level: 1 })).toBeVisible();

    // Tabbing through untouched fields judges nothing.
    await page.getByLabel("Name").focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press("Tab");
    await expect(page.getByText(/is required/)).toHaveCount(0);

    // A bad URL, then straight to "Add header": the URL's error appears in its reserved line, the button does not
    // move, and the click is not lost.
    const url = page.getByLabel("URL");
    const addHeader = page.getByRole("button", { name: "Add header" });
    await url.fill("not a url");
    const before = await pageTop(addHeader);
    await addHeader.click();
    await expect(page.getByLabel("Header 1 name")).toBeVisible();
    await expect(page.getByText("The URL must start with http:// or https://")).toBeVisible();
    expect(await pageTop(addHeader)).toBeGreaterThan(before); // moved only by the new row above it
    await page.getByRole("button", { name: "Remove header 1" }).click();
    await expect.poll(() => pageTop(addHeader)).toBe(before);

    // "Insert placeholder" puts it at the caret and gives the caret back after it.
    await chooseEvent(page, "deal upd", "Deal updated");
    await url.fill(`${receiver.url}/deals/`);
    const at = `${receiver.url}/deals/`.length;
    await url.evaluate((el: HTMLInputElement, end) => el.setSelectionRange(end, end), at);
    await page.getByRole("region", { name: "Request" }).getByRole("button", { name: "Insert placeholder" }).click();
    await page.getByRole("menuitem", { name: "{{data.id}}" }).click();
    await expect(url).toHaveValue(`${receiver.url}/deals/{{data.id}}`);
    await expect.poll(() => caret(url)).toBe(at + "{{data.id}}".length);
    // The error went away with the edit.
    await expect(page.getByText("The URL must start with http:// or https://")).toHaveCount(0);

    // Typing {{ offers the placeholders, narrowed as the name is typed; Enter takes one.
    await page.keyboard.type("?stage={{sta");
    const suggestions = page.getByRole("listbox", { name: "Placeholders" });
    await expect(suggestions.getByRole("option", { name: "{{data.stage}}" })).toBeVisible();
    await screenshot(page, "forms-placeholder-suggestions", { viewport: true });
    await page.keyboard.press("Enter");
    await expect(url).toHaveValue(`${receiver.url}/deals/{{data.id}}?stage={{data.stage}}`);
    await expect(suggestions).toHaveCount(0);
    await expect(page).toHaveURL(/\/webhooks\/new$/); // Enter took the suggestion, it did not submit

    // Test without a Name: sent with the sample record; no error on the Name.
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const panel = page.getByRole("dialog", { name: "Test result" });
    await expect(panel.getByTestId("test-status")).toHaveText(/^200/);
    expect(receiver.received.at(-1)?.url).toBe("/deals/d_5531?stage=Won");
    await expect(page.getByText("Name is required")).toHaveCount(0);

    // The sample record is editable: send again with other values.
    const sample = panel.getByRole("textbox", { name: "Sample record (JSON)" });
    await expect(sample).toHaveValue(/"id": "d_5531"/);
    await sample.fill('{"id": "d_edited", "stage": "Lost"}');
    await panel.getByRole("button", { name: "Send with this record" }).click();
    await expect.poll(() => receiver.received.at(-1)?.url).toBe("/deals/d_edited?stage=Lost");
    await expect(panel.getByTestId("test-status")).toHaveText(/^200/);
    await expect(sample).toHaveValue('{"id": "d_edited", "stage": "Lost"}'); // the edits stay for the next try
    await sample.fill("[1, 2]");
    await panel.getByRole("button", { name: "Send with this record" }).click();
    await expect(panel.getByText('The record must be a JSON object, such as {"id": 1}')).toBeVisible();
    await screenshot(page, "forms-test-sample", { viewport: true });
    await page.keyboard.press("Escape");
    await expect(panel).toBeHidden();

    // Leaving with unsaved changes asks first: Stay keeps everything, Leave goes.
    await page.getByRole("link", { name: "Cancel" }).click();
    const leave = page.getByRole("alertdialog", { name: "Leave without saving?" });
    await expect(leave).toBeVisible();
    await screenshot(page, "forms-leave-prompt", { viewport: true });
    await leave.getByRole("button", { name: "Stay on this page" }).click();
    await expect(page).toHaveURL(/\/webhooks\/new$/);
    await expect(url).toHaveValue(`${receiver.url}/deals/{{data.id}}?stage={{data.stage}}`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await leave.getByRole("button", { name: "Leave and discard" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);

    // An untouched form leaves without a question; a changed one asks the browser to confirm closing the tab.
    await page.goto("/webhooks/new");
    await page.getByRole("link", { name: "Cancel" }).click();
    await expect(page).toHaveURL(/\/webhooks$/);
    await page.goto("/webhooks/new");
    await page.getByLabel("Name").fill("Half-typed");
    const dialog = page.waitForEvent("dialog");
    await page.close({ runBeforeUnload: true });
    const prompt = await dialog;
    expect(prompt.type()).toBe("beforeunload");
    await prompt.accept();
  } finally {
    await receiver.close();
  }
});

test("controls say what they do: the roles matrix locks what Manage includes, settings hide what a role cannot open", async ({
  page,
  browser,
}) => {
  const company = "Honest Controls Co";
  await signUp(page, { name: "Hana Honest", email: uniqueEmail("hana"), password: "hana-honest-pass-1", company });

  // Admin holds Manage Webhooks: its View Webhooks is ticked and locked, and says why.
  await page.goto("/settings/roles");
  const adminView = page.getByRole("checkbox", { name: "Admin — View Webhooks" });
  await expect(adminView).toBeChecked();
  await expect(adminView).toBeDisabled();
  await expect(adminView).toHaveAccessibleDescription("Included in Manage Webhooks");

  // Granting Manage Webhooks to Member locks its View the same way; revoking it frees the box again.
  const memberView = page.getByRole("checkbox", { name: "Member — View Webhooks" });
  await expect(memberView).not.toBeChecked();
  await page.getByRole("checkbox", { name: "Member — Manage Webhooks" }).click();
  await expect(memberView).toBeDisabled();
  await expect(memberView).toBeChecked();
  await screenshot(page, "forms-roles-locked");
  await page.getByRole("checkbox", { name: "Member — Manage Webhooks" }).click();
  await expect(memberView).toBeEnabled();
  await expect(memberView).not.toBeChecked();

  // The owner sees every settings section; a Member only those it may open.
  const nav = (p: Page) => p.getByRole("navigation", { name: "Settings sections" }).getByRole("link");
  await expect(nav(page)).toHaveText([
    "Members",
    "Roles & permissions",
    "API keys",
    "Company",
    "Plan & usage",
    "Email outbox",
    "Audit log",
    "Your account",
  ]);
  const { context, member } = await inviteAndAccept(page, browser, {
    email: uniqueEmail("milo"),
    name: "Milo Member",
    password: "milo-member-pass-1",
    company,
  });
  try {
    await member.goto("/settings/members");
    await expect(nav(member)).toHaveText(["Members", "Roles & permissions", "Plan & usage", "Your account"]);
  } finally {
    await context.close();
  }
});
