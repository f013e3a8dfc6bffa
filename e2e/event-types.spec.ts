import { expect, test, type Page } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { inviteAndAccept, screenshot, signUp, uniqueEmail } from "./fixtures";

const SCHEMA = JSON.stringify(
  {
    type: "object",
    required: ["id", "priority"],
    properties: {
      id: { type: "string" },
      priority: { enum: ["Low", "High", "Urgent"] },
      level: { type: "integer", minimum: 1 },
    },
  },
  null,
  2,
);

/** Adds one type to the webhook form's multi-select picker (it stays open after a pick). */
async function addEvent(page: Page, search: string, label: string) {
  const searchBox = page.getByRole("textbox", { name: "Search events" });
  if (!(await searchBox.isVisible())) await page.getByRole("combobox", { name: "Events" }).click();
  await searchBox.fill(search);
  await page.getByRole("option", { name: new RegExp(label) }).click();
  await expect(page.getByRole("option", { name: new RegExp(label) })).toHaveAttribute("aria-selected", "true");
}

async function atPhoneAndDesktop(page: Page, shoot: (suffix: string) => Promise<void>) {
  await page.setViewportSize({ width: 1440, height: 900 });
  await shoot("");
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot("-phone");
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** No element wider than the page at 390 px (the body never scrolls sideways). */
async function expectNoSidewaysScroll(page: Page) {
  const { overflow, culprits } = await page.evaluate(() => {
    const wide = [...document.querySelectorAll("body *")].filter(
      (el) => el.getBoundingClientRect().right > window.innerWidth + 1 && el.getClientRects().length,
    );
    // The innermost elements sticking out: what widens the page.
    const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    return {
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      culprits: innermost.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 160)),
    };
  });
  expect(overflow, `the page scrolls sideways: ${culprits.join(" | ")}`).toBeLessThanOrEqual(0);
}

test("a company registers its own event type, a webhook listens to it and a built-in one only the first time, then the type is deprecated (delete is refused while in use)", async ({
  page,
  browser,
}) => {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await signUp(page, {
      name: "Tara Types",
      email: uniqueEmail("tara"),
      password: "tara-types-pass-1",
      company: "Helpdesk Ltd",
    });

    // The page from the navigation: nothing of our own yet, the built-in catalog below.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Event types" }).click();
    await expect(page.getByRole("heading", { name: "No event types of your own yet" })).toBeVisible();
    await expect(page.getByText("POST /api/v1/events").first()).toBeVisible();
    await page.getByText("Ticket", { exact: true }).click();
    await expect(page.getByText("ticket.status_changed")).toBeVisible();
    await atPhoneAndDesktop(page, async (suffix) => {
      if (suffix) await expectNoSidewaysScroll(page);
      await screenshot(page, `event-types-empty${suffix}`);
    });

    // Add a type with a schema; a sample that does not meet it is refused next to the field.
    await page.getByRole("button", { name: "Add event type" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Add event type" });
    await dialog.getByLabel("Type name").fill("ticket.escalated");
    await dialog.getByLabel("Label").fill("Ticket escalated");
    await dialog.getByLabel("Module").fill("ticket");
    await dialog.getByLabel("Description (optional)").fill("A ticket is escalated to the second line.");
    await dialog.getByLabel("JSON Schema (optional)").fill(SCHEMA);
    await dialog.getByLabel("Sample record (JSON)").fill('{"id": "t_1", "priority": "Whenever"}');
    await dialog.getByRole("button", { name: "Add event type" }).click();
    await expect(dialog.getByText(/The sample does not meet the schema: data\.priority must be one of/)).toBeVisible();
    await screenshot(page, "event-type-dialog-error", { viewport: true });
    await dialog.getByLabel("Sample record (JSON)").fill('{"id": "t_1", "priority": "High", "level": 2}');
    await dialog.getByLabel("Previous values (JSON, optional)").fill('{"priority": "Low"}');
    await dialog.getByRole("button", { name: "Add event type" }).click();
    await expect(page.getByText("Event type ticket.escalated added")).toBeVisible();
    await expect(dialog).toHaveCount(0);
    const typeRow = page.getByRole("row").filter({ hasText: "ticket.escalated" });
    await expect(typeRow).toContainText("Ticket escalated");
    await expect(typeRow).toContainText("No webhooks");

    // A second type of the same name: the server's refusal sits next to the type name.
    await page.getByRole("button", { name: "Add event type" }).first().click();
    await dialog.getByLabel("Type name").fill("ticket.escalated");
    await dialog.getByLabel("Label").fill("Again");
    await dialog.getByLabel("Module").fill("ticket");
    await dialog.getByLabel("Sample record (JSON)").fill('{"id": "t_2", "priority": "Low"}');
    await dialog.getByRole("button", { name: "Add event type" }).click();
    await expect(dialog.getByText("ticket.escalated is registered already")).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // A webhook on two events — our own type and a built-in one — sent only the first time a record is urgent…
    await page.goto("/webhooks/new");
    await page.getByLabel("Name").fill("Escalations to the pager");
    await page.getByRole("switch", { name: "Active" }).click();
    await addEvent(page, "escalated", "Ticket escalated");
    await addEvent(page, "ticket status", "Ticket status changed");
    await page.keyboard.press("Escape");
    await expect(page.getByRole("list", { name: "Chosen events" }).getByRole("listitem")).toHaveCount(2);
    await page.getByRole("combobox", { name: "Send", exact: true }).click();
    await page.getByRole("option", { name: "Only the first time the conditions hold for a record" }).click();
    await page.getByRole("button", { name: "Add condition" }).click();
    await page.getByLabel("Condition 1 field").fill("priority");
    await page.getByLabel("Condition 1 value").fill("High");
    await page.getByLabel("URL").fill(`${receiver.url}/pager`);
    const trigger = page.getByRole("region", { name: "Trigger" });
    await atPhoneAndDesktop(page, async (suffix) => {
      if (suffix) await expectNoSidewaysScroll(page);
      await trigger.screenshot({
        path: `e2e/screenshots/webhook-trigger-two-events${suffix}.png`,
        style: "[data-form-actions] { display: none !important; }",
      });
    });
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.getByRole("dialog", { name: "Webhook created" }).getByRole("button", { name: "Done" }).click();
    await expect(page).toHaveURL(/\/webhooks$/);
    const hookRow = page.getByRole("row").filter({ hasText: "Escalations to the pager" });
    await expect(hookRow).toContainText("Ticket escalated");
    await expect(hookRow).toContainText("+1 more");

    // …so two test events for the same ticket make one delivery.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events", exact: true }).click();
    const eventRows = page.getByRole("row").filter({ hasText: "ticket.escalated" });
    const toasts = [/Test event sent: it matched 1 webhook/, /Test event sent: it matched no active webhook/];
    for (const [i, expected] of toasts.entries()) {
      await page.getByRole("button", { name: "Send a test event" }).first().click();
      const send = page.getByRole("dialog", { name: "Send a test event" });
      await send.getByRole("combobox", { name: "Event type" }).click();
      await page.getByRole("textbox", { name: "Search events" }).fill("escalated");
      await page.getByRole("option", { name: /Ticket escalated/ }).click();
      await expect(send.getByLabel("Record (JSON)")).toHaveValue(/"priority": "High"/);
      await expect(send.getByLabel("Previous values (JSON, optional)")).toHaveValue(/"priority": "Low"/);
      await send.getByRole("button", { name: "Send test event" }).click();
      await expect(page.getByText(expected)).toBeVisible();
      await expect(send).toHaveCount(0);
      // The page has refreshed (the first event replaces the empty state, and its button with it).
      await expect(eventRows).toHaveCount(i + 1);
    }
    await receiver.waitFor(1);
    await expect(eventRows.first()).toContainText("Ticket escalated");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("button", { name: "Actions for Escalations to the pager" }).click();
    await page.getByRole("menuitem", { name: "History" }).click();
    await expect(page.getByTestId("count-triggered")).toHaveText("1", { timeout: 20_000 });
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0].body)).toMatchObject({ type: "ticket.escalated" });

    // Back on the page: the type is in use, so Delete is refused with the webhook named; deprecate instead.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Event types" }).click();
    await expect(typeRow).toContainText("1 webhook");
    await page.getByRole("button", { name: "Actions for ticket.escalated" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("alertdialog", { name: "Delete ticket.escalated?" });
    await confirm.getByRole("button", { name: "Delete event type" }).click();
    await expect(confirm.getByRole("alert")).toContainText(
      "ticket.escalated is in use by the webhook Escalations to the pager",
    );
    await screenshot(page, "event-type-delete-refused", { viewport: true });
    await confirm.getByRole("button", { name: "Deprecate instead" }).click();
    await expect(page.getByText("ticket.escalated deprecated: new webhooks no longer offer it")).toBeVisible();
    await expect(confirm).toHaveCount(0);
    await expect(typeRow.getByText("Deprecated")).toBeVisible();
    await page.getByText("Deal", { exact: true }).click();
    await atPhoneAndDesktop(page, async (suffix) => {
      if (suffix) await expectNoSidewaysScroll(page);
      await screenshot(page, `event-types${suffix}`);
    });

    // Edit: the name stays, the rest changes.
    await page.getByRole("button", { name: "Actions for ticket.escalated" }).click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    const edit = page.getByRole("dialog", { name: "Edit Ticket escalated" });
    await expect(edit.getByLabel("Type name")).toHaveAttribute("readonly", "");
    await expect(edit.getByLabel("Sample record (JSON)")).toHaveValue(/"level": 2/);
    await edit.getByLabel("Description (optional)").fill("Escalated to the second line of support.");
    await edit.getByRole("button", { name: "Save event type" }).click();
    await expect(page.getByText("Event type ticket.escalated saved")).toBeVisible();
    await expect(typeRow).toContainText("Escalated to the second line of support.");

    // The audit log says what happened, by the type's name.
    await page.goto("/settings/audit");
    await expect(page.getByRole("row").filter({ hasText: "Event type deprecated" })).toContainText("ticket.escalated");
    await expect(page.getByRole("row").filter({ hasText: "Event type added" })).toContainText("Module ticket");

    // A member without View Webhooks is refused the page; with it (and without Manage Webhooks) reads it only.
    const { context, member } = await inviteAndAccept(page, browser, {
      email: uniqueEmail("reader"),
      name: "Rae Reader",
      password: "rae-reader-pass-3",
      company: "Helpdesk Ltd",
    });
    await member.goto("/event-types");
    await expect(member.getByRole("heading", { name: "You don't have access to Event types" })).toBeVisible();
    await page.goto("/settings/roles");
    await page.getByRole("checkbox", { name: "Member — View Webhooks" }).check();
    await expect(page.getByRole("checkbox", { name: "Member — View Webhooks" })).toBeChecked();
    // The tick shows at once; the grant is saved a moment later.
    await expect(async () => {
      await member.reload();
      await expect(member.getByRole("row").filter({ hasText: "ticket.escalated" })).toContainText("Deprecated", {
        timeout: 1000,
      });
    }).toPass({ timeout: 15_000 });
    await expect(member.getByRole("button", { name: "Add event type" })).toHaveCount(0);
    await expect(member.getByRole("button", { name: "Actions for ticket.escalated" })).toHaveCount(0);
    await context.close();
  } finally {
    await receiver.close();
  }
});
