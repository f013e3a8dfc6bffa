import { expect, test } from "@playwright/test";
import { createApiKey, inviteAndAccept, screenshot, signIn, signUp, uniqueEmail } from "./fixtures";

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

  // Invite a member with the Member role; the member accepts from the link in their mailbox (the outbox masks it).
  const { context: memberContext, member } = await inviteAndAccept(owner, browser, {
    email: memberEmail,
    name: "Milo Member",
    password: "milo-member-pass-2",
    company: "Northwind",
    screenshots: true,
  });
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
  await signUp(page, {
    name: "Kim Keys",
    email: uniqueEmail("keys"),
    password: "kim-keys-pass-44",
    company: "Keys Inc",
  });
  const key = await createApiKey(page, "CRM production", "api-key");
  const ok = await request.get("/api/v1/company", { headers: { authorization: `Bearer ${key}` } });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ company: { name: "Keys Inc" }, apiKey: { name: "CRM production" } });

  await page.reload();
  await expect(page.getByText(key)).toHaveCount(0);
  await page.getByRole("button", { name: "Revoke CRM production" }).click();
  await page
    .getByRole("alertdialog")
    .getByRole("button", { name: /revoke/i })
    .click();
  await expect(page.getByText("Revoked").first()).toBeVisible();
  const refused = await request.get("/api/v1/company", { headers: { authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
});
