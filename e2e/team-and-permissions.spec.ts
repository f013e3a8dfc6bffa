import { expect, test } from "@playwright/test";
import { screenshot, signIn, signUp, uniqueEmail } from "./fixtures";

test("a new owner invites a member and decides who manages webhooks", async ({ browser }) => {
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const ownerEmail = uniqueEmail("owner");
  const memberEmail = uniqueEmail("member");

  // Sign up: a weak password is refused on the form, then the account is created.
  await owner.goto("/sign-up");
  await screenshot(owner, "sign-up");
  await owner.getByLabel("Your name").fill("Olga Owner");
  await owner.getByLabel("Email").fill(ownerEmail);
  await owner.getByLabel("Password").fill("short");
  await owner.getByLabel("Company name").fill("Northwind");
  await owner.getByRole("button", { name: "Create account" }).click();
  await expect(owner.getByText("Use at least 10 characters")).toBeVisible();
  await owner.getByLabel("Password").fill("northwind-owner-1");
  await owner.getByRole("button", { name: "Create account" }).click();
  await expect(owner).toHaveURL(/\/dashboard$/);
  await expect(owner.getByRole("heading", { name: "Welcome, Olga" })).toBeVisible();
  await screenshot(owner, "dashboard");

  // Invite a member with the Member role.
  await owner.goto("/settings/members");
  await owner.getByRole("button", { name: "Invite member" }).click();
  const dialog = owner.getByRole("dialog");
  await dialog.getByLabel("Email").fill(memberEmail);
  await dialog.getByRole("combobox", { name: "Role" }).click();
  await owner.getByRole("option", { name: "Member" }).click();
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation sent to ${memberEmail}`).first()).toBeVisible();
  await owner.keyboard.press("Escape");
  await expect(owner.getByRole("cell", { name: memberEmail })).toBeVisible();
  await screenshot(owner, "members");

  // The invitation email is in the outbox (no RESEND_API_KEY): take the link from it.
  await owner.goto("/settings/outbox");
  const row = owner.getByRole("row").filter({ hasText: memberEmail });
  await expect(row).toBeVisible();
  await screenshot(owner, "outbox");
  await row.getByRole("button", { name: /view/i }).click();
  const body = await owner.getByRole("dialog").locator("pre").innerText();
  const link = body.match(/https?:\/\/\S+\/invite\/[\w-]+/)?.[0];
  expect(link, "the outbox email holds the invitation link").toBeTruthy();
  await owner.keyboard.press("Escape");

  // The member accepts, is signed in, and cannot open Webhooks.
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await member.goto(new URL(link!).pathname);
  await expect(member.getByText("Join Northwind")).toBeVisible();
  await member.getByLabel("Your name").fill("Milo Member");
  await member.getByLabel("Password").fill("milo-member-pass-2");
  await member.getByRole("button", { name: "Accept invitation" }).click();
  await expect(member).toHaveURL(/\/dashboard$/);
  await expect(member.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" })).toHaveCount(0);
  await member.goto("/webhooks");
  await expect(member.getByRole("heading", { name: "You don't have access to Webhooks" })).toBeVisible();
  await screenshot(member, "webhooks-forbidden");

  // The owner grants Manage Webhooks to the Member role: the member's next request sees it.
  await owner.goto("/settings/roles");
  const cell = owner.getByRole("checkbox", { name: "Member — Manage Webhooks" });
  await expect(cell).not.toBeChecked();
  await cell.click();
  await expect(cell).toBeChecked();
  await expect(owner.getByText(/saved|granted|updated/i).first()).toBeVisible();
  await screenshot(owner, "roles-matrix");
  await member.goto("/webhooks");
  await expect(member.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
  await expect(member.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" })).toBeVisible();

  // The owner revokes it again: refused on the next request.
  await owner.reload();
  const again = owner.getByRole("checkbox", { name: "Member — Manage Webhooks" });
  await expect(again).toBeChecked();
  await again.click();
  await expect(again).not.toBeChecked();
  await expect(owner.getByText(/saved|revoked|updated/i).first()).toBeVisible();
  await member.goto("/webhooks");
  await expect(member.getByRole("heading", { name: "You don't have access to Webhooks" })).toBeVisible();

  await ownerContext.close();
  await memberContext.close();
});

test("sign in refuses a wrong password on the form and signs out cleanly", async ({ page }) => {
  const email = uniqueEmail("signin");
  await signUp(page, { name: "Sam Signin", email, password: "sam-signin-pass-3", company: "Sam Co" });
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page, email, "not-the-password-1");
  await expect(page.getByText("Wrong email or password")).toBeVisible();
  await screenshot(page, "sign-in-error");
  await page.getByLabel("Password").fill("sam-signin-pass-3");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  // Signed-in pages are refused without a session.
  await page.context().clearCookies();
  await page.goto("/settings/members");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("an API key is shown once, works against the API and stops working when revoked", async ({ page, request }) => {
  await signUp(page, { name: "Kim Keys", email: uniqueEmail("keys"), password: "kim-keys-pass-44", company: "Keys Inc" });
  await page.goto("/settings/api-keys");
  await screenshot(page, "api-keys-empty");
  await page.getByRole("button", { name: "Create API key" }).first().click();
  await page.getByRole("dialog").getByLabel("Name").fill("CRM production");
  await page.getByRole("dialog").getByRole("button", { name: "Create key" }).click();
  const keyField = page.getByRole("dialog").locator("input[readonly]");
  await expect(keyField).toHaveValue(/^hr_live_/);
  const key = await keyField.inputValue();
  await screenshot(page, "api-key-created");
  const ok = await request.get("/api/v1/company", { headers: { authorization: `Bearer ${key}` } });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ company: { name: "Keys Inc" }, apiKey: { name: "CRM production" } });

  await page.keyboard.press("Escape");
  await page.reload();
  await expect(page.getByText(key)).toHaveCount(0);
  await page.getByRole("button", { name: "Revoke CRM production" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: /revoke/i }).click();
  await expect(page.getByText("Revoked").first()).toBeVisible();
  const refused = await request.get("/api/v1/company", { headers: { authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
});
