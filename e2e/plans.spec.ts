import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { screenshot, signUp, uniqueEmail } from "./fixtures";

/**
 * Issue 15 item 8 through the real server: the operator puts a company on a plan with `npm run admin` (the same
 * database as the app); its owner sees the plan and today's usage in Settings → Plan & usage, with nothing to
 * change it, and the Webhooks page says the plan has no webhooks.
 */
function admin(...argv: string[]) {
  const root = process.cwd();
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "scripts", "admin.ts"), ...argv],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
      encoding: "utf8",
      timeout: 90_000,
    },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

test("an owner sees the plan the operator assigned, and cannot change it", async ({ page }) => {
  test.setTimeout(180_000);
  const suffix = Date.now().toString(36);
  const company = `Plan Co ${suffix}`;
  await signUp(page, { name: "Petra Plan", email: uniqueEmail("plan"), password: "petra-plan-pass-3", company });

  await page.goto("/settings/plan");
  await expect(page.getByRole("heading", { name: "Plan & usage" })).toBeVisible();
  await expect(page.getByText("Plan: Unlimited")).toBeVisible();
  await expect(page.getByText("default plan")).toBeVisible();

  const plan = `Starter ${suffix}`;
  expect(
    admin("plans", "create", plan, "--calls-per-day", "2500", "--calls-per-user", "250", "--max-webhooks", "3"),
  ).toContain(`Created plan ${plan}`);
  expect(admin("companies", "assign", company, plan)).toContain(`${company} is on plan ${plan}`);

  await page.reload();
  await expect(page.getByText(`Plan: ${plan}`)).toBeVisible();
  const limits = page.locator("dl");
  await expect(limits).toContainText("Calls a day2,500");
  await expect(limits).toContainText("Calls a day per user250");
  await expect(limits).toContainText("Webhooks at most3");
  await expect(page.getByRole("meter", { name: "Calls today" })).toHaveAttribute("aria-valuemax", "2500");
  await expect(page.getByText("0 of 2,500")).toBeVisible();
  // Read-only: no field or button on the page changes a plan.
  const main = page.getByRole("main");
  await expect(main.locator("input, select, textarea, form")).toHaveCount(0);
  await expect(main.getByRole("button")).toHaveCount(0);
  await screenshot(page, "plan-usage");

  admin("plans", "update", plan, "--webhooks", "off");
  await page.reload();
  await expect(page.getByText("Webhooks are not included in your plan")).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "plan-usage-390-webhooks-off");
  await page.goto("/webhooks");
  await expect(page.getByText(`Your plan (${plan}) does not include webhooks`)).toBeVisible();
});
