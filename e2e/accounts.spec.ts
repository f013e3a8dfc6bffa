import { expect, test } from "@playwright/test";
import { screenshot, signIn, signUp, uniqueEmail } from "./fixtures";

/**
 * Issue 13 items 7 and 8 through the real server: a copied session cookie stops working after
 * sign-out; "Forgot password?" mails a link (to the Resend stand-in) that works once and signs out
 * every other browser; a password change on "Your account" does the same.
 */
test("a session cookie copied before sign-out does not work after it", async ({ page, browser }) => {
  const email = uniqueEmail("cookie");
  await signUp(page, { name: "Cora Cookie", email, password: "cora-cookie-pass-3", company: "Cookie Co" });
  const copied = await page.context().cookies();
  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // Someone who copied the cookie (a shared computer, a stolen backup) replays it.
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const stolen = await thief.newPage();
  await stolen.goto("/dashboard");
  await expect(stolen).toHaveURL(/\/sign-in/);
  await thief.close();
});

test("forgot password: a single-use link by email; using it signs out everywhere else", async ({ page, browser }) => {
  const email = uniqueEmail("forgot");
  await signUp(page, { name: "Fern Forgot", email, password: "fern-forgot-pass-3", company: "Forgot Co" });
  const elsewhere = page; // stays signed in, like a second device

  const context = await browser.newContext();
  const me = await context.newPage();
  await me.goto("/sign-in");
  await me.getByRole("link", { name: "Forgot password?" }).click();
  await expect(me.getByText("Forgot your password?")).toBeVisible();
  await me.getByLabel("Email").fill(email);
  await me.getByRole("button", { name: "Send reset link" }).click();
  await expect(me.getByRole("status")).toContainText(`If an account uses ${email}`);
  await screenshot(me, "forgot-password-sent");

  let link: string | undefined;
  await expect(async () => {
    const emails = (await (await fetch(`${process.env.E2E_RESEND_URL}/emails`)).json()) as {
      to: string[];
      text: string;
    }[];
    link = emails
      .filter((e) => e.to.includes(email))
      .map((e) => e.text.match(/https?:\/\/\S+\/reset-password\/[\w-]+/)?.[0])
      .find(Boolean);
    expect(link, "the reset link reached the mailbox").toBeTruthy();
  }).toPass({ timeout: 20_000 });

  const path = new URL(link!).pathname;
  await me.goto(path);
  await expect(me.getByText("Choose a new password")).toBeVisible();
  await screenshot(me, "reset-password");
  await me.getByLabel("New password").fill("fern-new-pass-44");
  await me.getByRole("button", { name: "Change password" }).click();
  await expect(me).toHaveURL(/\/dashboard$/);

  // The other device was signed out; the link does not work twice.
  await elsewhere.goto("/webhooks");
  await expect(elsewhere).toHaveURL(/\/sign-in/);
  await me.goto(path);
  await expect(me.getByText("This reset link can't be used")).toBeVisible();
  await signIn(elsewhere, email, "fern-new-pass-44");
  await expect(elsewhere).toHaveURL(/\/dashboard$/);
  await context.close();
});

test("changing the password on Your account keeps this browser signed in and signs out the others", async ({
  page,
  browser,
}) => {
  const email = uniqueEmail("change");
  await signUp(page, { name: "Cal Change", email, password: "cal-change-pass-3", company: "Change Co" });
  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, email, "cal-change-pass-3");
  await expect(second).toHaveURL(/\/dashboard$/);

  await page.getByRole("button", { name: "Account menu" }).click();
  await page.getByRole("menuitem", { name: "Your account" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await page.getByLabel("Current password").fill("wrong-pass-word-1");
  await page.getByLabel("New password").fill("cal-new-pass-55");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("This is not your current password")).toBeVisible();
  await page.getByLabel("Current password").fill("cal-change-pass-3");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText(/Password changed/).first()).toBeVisible();
  // This browser stays on its page, signed in under the new session.
  await expect(page).toHaveURL(/\/settings\/account$/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await screenshot(page, "account");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "account-phone");
  // On a phone the navigation is a sheet, its code loaded when its button is first pressed: one press opens it.
  await page.getByRole("button", { name: "Open navigation" }).click();
  await page.getByRole("dialog").getByRole("link", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(page.getByRole("dialog")).toBeHidden();

  await page.goto("/webhooks");
  await expect(page).toHaveURL(/\/webhooks$/);
  await second.goto("/webhooks");
  await expect(second).toHaveURL(/\/sign-in/);
  await other.close();
});
