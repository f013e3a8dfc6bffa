import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./fixtures";

const X = "x".repeat(100);
/** The 273-character template of issue 12 that made V8 abort the web server on preview. */
const CRASH = `{% capture a %}{% for i in (1..1000) %}${X}{% endfor %}{% endcapture %}{% capture b %}{% for i in (1..3000) %}{{a}}{% endfor %}{% endcapture %}{{ b | replace: "x", "y" | size }}`;

test("a template bomb in the form is a clear error on the preview and on save; the server keeps serving", async ({
  page,
  request,
}) => {
  await signUp(page, {
    name: "Hana Hostile",
    email: uniqueEmail("hana"),
    password: "hana-hostile-pass-1",
    company: "Bombs Ltd",
  });
  await page.goto("/webhooks/new");
  await page.getByLabel("Name").fill("Bomb");
  await page.getByRole("combobox", { name: "Event" }).click();
  await page.getByRole("textbox", { name: "Search events" }).fill("deal upd");
  await page.getByRole("option", { name: /Deal updated/ }).click();
  await page.getByLabel("URL").fill("https://billing.example.com/hook");
  await page.getByRole("tab", { name: "Advanced template" }).click();
  const template = page.getByRole("textbox", { name: "Template", exact: true });
  await template.fill(CRASH);

  // The live preview renders it in the sandbox: a limit, said plainly.
  await expect(
    page
      .getByRole("status")
      .filter({ hasText: /^Template: The template (prints|builds a text) (more|longer) than 4,000,000 characters/ }),
  ).toBeVisible();
  expect((await request.get("/api/health")).ok()).toBe(true);

  // Save: refused with the error under the template, nothing saved.
  await page.getByRole("button", { name: "Create webhook" }).click();
  await expect(
    page.getByText(/^Template: The template (prints|builds a text) (more|longer) than 4,000,000 characters/).first(),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/webhooks\/new$/);
  await screenshot(page, "webhook-form-template-limit");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "webhook-form-template-limit-phone");

  // A good template afterwards previews and saves: the same server, unharmed.
  await page.setViewportSize({ width: 1280, height: 900 });
  await template.fill('{"deal":"{{data.id}}"}');
  await expect(page.getByLabel("Body preview")).toContainText('"deal": "d_5531"');
  await page.getByRole("button", { name: "Create webhook" }).click();
  // Saved: the signing secret is shown, once.
  await expect(page.getByRole("alert").filter({ hasText: "It won't be shown again" })).toBeVisible();
  expect((await request.get("/api/health")).ok()).toBe(true);
});
