import { expect, test, type Locator, type Page } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { screenshot, signUp, uniqueEmail } from "./fixtures";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

/** The steps of the getting-started list, as [title, done]. */
async function steps(page: Page): Promise<[string, boolean][]> {
  const items = page.getByRole("list", { name: "Getting started steps" }).getByRole("listitem");
  return Promise.all(
    (await items.all()).map(async (li) => {
      const text = (await li.locator("span.font-medium").innerText()).trim();
      return [text.replace(/\s*\((done|to do)\)$/, ""), (await li.getAttribute("data-done")) === "true"] as [
        string,
        boolean,
      ];
    }),
  );
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  expect(b, "visible on the page").toBeTruthy();
  return b!;
}

test("the 404 page is Hookrelay's, signed out and signed in, with the way back", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await expect(page).toHaveTitle(/Page not found · Hookrelay/);
  await page.setViewportSize(DESKTOP);
  await screenshot(page, "not-found-1440");
  await page.setViewportSize(PHONE);
  await screenshot(page, "not-found-390");
  // The favicon is served (app/icon.svg).
  const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(icon).toMatch(/icon/);
  const iconRes = await page.request.get(icon!);
  expect(iconRes.status()).toBe(200);
  expect(iconRes.headers()["content-type"]).toContain("image/svg+xml");

  await page.setViewportSize(DESKTOP);
  await signUp(page, {
    name: "Nia Nowhere",
    email: uniqueEmail("nia"),
    password: "nowhere-pass-123",
    company: "Lost Ltd",
  });
  // A webhook that does not exist (or is another company's) is the same 404.
  await page.goto("/webhooks/00000000-0000-4000-8000-000000000000");
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the dashboard" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("a first run: getting started ticks each step from the company's data; the form's checklist, known values, toasts and sorting", async ({
  page,
}) => {
  const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await page.setViewportSize(DESKTOP);
    await signUp(page, {
      name: "Fran First",
      email: uniqueEmail("fran"),
      password: "first-run-pass-12",
      company: "First Run Ltd",
    });

    // A brand-new company: every step shown to the owner, none ticked ("Decide who manages webhooks" included).
    expect(await steps(page)).toEqual([
      ["Invite your team", false],
      ["Decide who manages webhooks", false],
      ["Create an API key", false],
      ["Create a webhook", false],
      ["Test it", false],
      ["Switch it on", false],
      ["Deliver your first event", false],
    ]);
    await expect(page.getByText("0 of 7 done")).toBeVisible();
    await screenshot(page, "getting-started-1440");
    await page.setViewportSize(PHONE);
    await screenshot(page, "getting-started-390");
    await page.setViewportSize(DESKTOP);

    // The webhook form: Selected parameters is a checklist of the sample deal's fields with their values.
    await page.getByRole("link", { name: /Create a webhook/ }).click();
    await expect(page).toHaveURL(/\/webhooks\/new$/);
    await page.getByLabel("Name").fill("First run");
    await page.getByRole("combobox", { name: "Event" }).click();
    await page.getByRole("textbox", { name: "Search events" }).fill("deal upd");
    await page.getByRole("option", { name: /Deal updated/ }).click();
    await page.getByLabel("URL").fill(`${receiver.url}/hook`);

    await page.getByRole("tab", { name: "Selected parameters" }).click();
    const checklist = page.getByRole("list", { name: "Fields of the sample record" });
    const ownerEmail = checklist.getByRole("listitem").filter({ hasText: "owner.email" });
    await expect(ownerEmail).toContainText("grace@example.com");
    await expect(checklist.getByRole("listitem").filter({ hasText: /^stage/ })).toContainText("Won");
    // The first three fields come picked; ticking another adds its row, unticking removes it.
    await expect(checklist.getByRole("checkbox", { checked: true })).toHaveCount(3);
    await expect(page.getByLabel("Field 4", { exact: true })).toHaveCount(0);
    await ownerEmail.getByRole("checkbox").check();
    await expect(page.getByLabel("Field 4", { exact: true })).toHaveValue("owner.email");
    await expect(page.getByLabel("Body preview")).toContainText('"owner.email": "grace@example.com"');
    await page.getByRole("region", { name: "Body" }).screenshot({ path: "e2e/screenshots/field-checklist-1440.png" });
    await ownerEmail.getByRole("checkbox").uncheck();
    await expect(page.getByLabel("Field 4", { exact: true })).toHaveCount(0);
    await ownerEmail.getByRole("checkbox").check();

    // Conditions on a deal's stage offer its known values.
    await page.getByRole("button", { name: "Add condition" }).click();
    await page.getByLabel("Condition 1 field").fill("amount");
    await expect(page.getByRole("group", { name: /Known values/ })).toHaveCount(0);
    await page.getByLabel("Condition 1 field").fill("stage");
    // Leave the field (its datalist of sample fields would take the next click).
    await page.getByLabel("Condition 1 field").press("Tab");
    const known = page.getByRole("group", { name: "Known values of stage" });
    await expect(known.getByRole("button")).toHaveText(["Prospect", "Qualification", "Negotiation", "Won", "Lost"]);
    await known.getByRole("button", { name: "Won" }).click();
    await expect(page.getByLabel("Condition 1 value")).toHaveValue("Won");
    await page.getByRole("combobox", { name: "Condition 1 operator", exact: true }).click();
    await page.getByRole("option", { name: "is one of", exact: true }).click();
    await known.getByRole("button", { name: "Negotiation" }).click();
    await expect(page.getByLabel("Condition 1 value")).toHaveValue("Won, Negotiation");
    await expect(known.getByRole("button", { name: "Won" })).toHaveAttribute("aria-pressed", "true");
    await page.getByRole("region", { name: "Trigger" }).screenshot({ path: "e2e/screenshots/known-values-1440.png" });

    // Test (audited), then create.
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await expect(page.getByRole("dialog", { name: "Test result" }).getByTestId("test-status")).toHaveText(/200/);
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "Create webhook" }).click();
    await page.getByRole("dialog", { name: "Webhook created" }).getByRole("button", { name: "Done" }).click();
    await expect(page).toHaveURL(/\/webhooks$/);

    // Sortable columns say how they are sorted.
    const nameHead = page.getByRole("columnheader", { name: /^Name/ });
    const sentHead = page.getByRole("columnheader", { name: /^Last sent/ });
    await expect(nameHead).toHaveAttribute("aria-sort", "none");
    await expect(nameHead.locator("[data-sort-icon]")).toHaveAttribute("data-sort-icon", "none");
    await nameHead.getByRole("link").click();
    await expect(page).toHaveURL(/sort=name&dir=asc/);
    await expect(nameHead).toHaveAttribute("aria-sort", "ascending");
    await expect(nameHead.locator("[data-sort-icon]")).toHaveAttribute("data-sort-icon", "ascending");
    await expect(sentHead).toHaveAttribute("aria-sort", "none");
    await nameHead.getByRole("link").click();
    await expect(page).toHaveURL(/sort=name&dir=desc/);
    await expect(nameHead).toHaveAttribute("aria-sort", "descending");
    await screenshot(page, "webhooks-sorted-1440");

    // Switch it on; the dashboard ticks webhook, Test and switch on; not yet a delivery.
    const listed = page.getByRole("row").filter({ hasText: "First run" });
    await listed.getByRole("switch").click();
    await expect(listed.getByRole("switch")).toBeChecked();
    await expect(listed.getByLabel("Saving")).toHaveCount(0);
    await expect(listed.getByRole("switch")).toBeChecked();
    // The switch flips at once; the dashboard shows it once it is saved.
    await expect(async () => {
      await page.goto("/dashboard");
      expect(await steps(page)).toEqual([
        ["Invite your team", false],
        ["Decide who manages webhooks", false],
        ["Create an API key", false],
        ["Create a webhook", true],
        ["Test it", true],
        ["Switch it on", true],
        ["Deliver your first event", false],
      ]);
    }).toPass({ timeout: 15_000 });

    // Toasts sit bottom right, above the form's sticky action bar, at 1440 and 390 px.
    await page.goto("/webhooks");
    await page.getByRole("link", { name: "First run" }).click();
    for (const [size, name] of [
      [DESKTOP, "1440"],
      [PHONE, "390"],
    ] as const) {
      await page.setViewportSize(size);
      await page.getByLabel("Description").fill(`Saved at ${name} px`);
      await page.getByRole("button", { name: "Save changes" }).click();
      const toast = page.locator("[data-sonner-toast]").first();
      await expect(toast).toBeVisible();
      // Measured once both have settled (the form re-renders after saving; the toast slides in).
      await expect(async () => {
        const bar = await box(page.locator("[data-form-actions]"));
        const t = await box(toast);
        expect(t.y + t.height, "the toast ends above the action bar").toBeLessThanOrEqual(bar.y);
        expect(t.x + t.width).toBeLessThanOrEqual(size.width);
        expect(t.x + t.width / 2, "on the right").toBeGreaterThan(size.width / 2 - 1);
      }).toPass({ timeout: 10_000 });
      await screenshot(page, `toast-${name}`, { viewport: true });
      await toast.getByRole("button", { name: /close/i }).click();
      await expect(page.locator("[data-sonner-toast]")).toHaveCount(0);
    }
  } finally {
    await receiver.close();
  }
});
