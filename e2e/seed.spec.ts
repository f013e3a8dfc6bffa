import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { screenshot, signIn } from "./fixtures";

/** `npm run seed` against the e2e database, then what a newcomer sees first: webhooks with history. */
test("npm run seed: the demo owner finds webhooks with successes, a retry, a failure and a delivery waiting to retry", async ({
  page,
}) => {
  test.skip(!process.env.E2E_DATABASE_URL, "needs the e2e database (npm run test:e2e)");
  const seed = () =>
    execFileSync(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/seed.ts"], {
      env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
      encoding: "utf8",
    });
  expect(seed()).toContain("3 demo webhooks with history");
  expect(seed()).toContain("nothing duplicated");

  await signIn(page, "owner@example.com", "hookrelay-demo");
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.goto("/webhooks");
  for (const name of [
    "Won deals → invoicing",
    "New leads → marketing (LeadSquared)",
    "New contacts → ERP (XML extended)",
  ])
    await expect(page.getByRole("row").filter({ hasText: name })).toHaveCount(1);
  await screenshot(page, "seed-webhooks");

  // The ERP webhook: a success, a failure after four attempts, one waiting for its next retry.
  await page.getByRole("button", { name: "Actions for New contacts → ERP (XML extended)" }).click();
  await page.getByRole("menuitem", { name: "History" }).click();
  await expect(page).toHaveURL(/\/history$/);
  await screenshot(page, "seed-history");
  await page.getByRole("link", { name: "Details of contact.created c_1047" }).click();
  await expect(page.getByRole("region", { name: "Attempt 4" })).toBeVisible();
  await expect(page.getByText("no more automatic retries")).toBeVisible();
  await expect(page.getByLabel("Attempt 1 request body")).toContainText('<crm_id type="string">c_1047</crm_id>');
  await screenshot(page, "seed-failed-delivery");

  await page.goBack();
  await page.getByRole("link", { name: "Details of contact.created c_1049" }).click();
  await expect(page.getByText(/Next attempt in/)).toBeVisible();
  await expect(page.getByText("Then 2 more retries if needed")).toBeVisible();
  await screenshot(page, "seed-retrying-delivery");
});
