import fs from "node:fs";
import path from "node:path";
import { expect, type Browser, type Page } from "@playwright/test";

export const SCREENSHOTS = path.join(process.cwd(), "e2e", "screenshots");

/** A full-page screenshot; `viewport` for overlays (sheets, dialogs) that are fixed to the viewport. */
export async function screenshot(page: Page, name: string, options: { viewport?: boolean } = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: !options.viewport });
}

export function uniqueEmail(label: string) {
  return `${label}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
}

export async function signUp(page: Page, input: { name: string; email: string; password: string; company: string }) {
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill(input.name);
  await page.getByLabel("Email").fill(input.email);
  await page.getByLabel("Password").fill(input.password);
  await page.getByLabel("Company name").fill(input.company);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Invites `email` as a Member from the owner's page, takes the link from the recipient's mailbox (the Resend stand-in)
 * and accepts it in a new context. */
export async function inviteAndAccept(
  owner: Page,
  browser: Browser,
  input: { email: string; name: string; password: string; company: string; screenshots?: boolean },
) {
  await owner.goto("/settings/members");
  await owner.getByRole("button", { name: "Invite member" }).click();
  const dialog = owner.getByRole("dialog");
  await dialog.getByLabel("Email").fill(input.email);
  await dialog.getByRole("combobox", { name: "Role" }).click();
  await owner.getByRole("option", { name: "Member" }).click();
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation sent to ${input.email}`).first()).toBeVisible();
  await owner.keyboard.press("Escape");
  await expect(owner.getByRole("cell", { name: input.email })).toBeVisible();
  if (input.screenshots) await screenshot(owner, "members");

  // The outbox lists the invitation with its link masked: the link lives only in the recipient's mailbox.
  await owner.goto("/settings/outbox");
  const row = owner.getByRole("row").filter({ hasText: input.email });
  await expect(row).toBeVisible();
  if (input.screenshots) await screenshot(owner, "outbox");
  await row.getByRole("button", { name: /^View email/ }).click();
  const shown = await owner.getByRole("dialog").getByTestId("email-text").innerText();
  expect(shown).toContain("/invite/•••••••• (the link is in the recipient's mailbox only)");
  expect(shown).not.toMatch(/\/invite\/[\w-]{20,}/);
  await owner.keyboard.press("Escape");
  // The recipient's mailbox: what reached the Resend stand-in.
  let link: string | undefined;
  await expect(async () => {
    const emails = (await (await fetch(`${process.env.E2E_RESEND_URL}/emails`)).json()) as {
      to: string[];
      text: string;
    }[];
    link = emails
      .filter((e) => e.to.includes(input.email))
      .map((e) => e.text.match(/https?:\/\/\S+\/invite\/[\w-]+/)?.[0])
      .find(Boolean);
    expect(link, "the invitation reached the recipient's mailbox").toBeTruthy();
  }).toPass({ timeout: 20_000 });

  const context = await browser.newContext();
  const member = await context.newPage();
  await member.goto(new URL(link!).pathname);
  await expect(member.getByText(`Join ${input.company}`)).toBeVisible();
  await member.getByLabel("Your name").fill(input.name);
  await member.getByLabel("Password").fill(input.password);
  await member.getByRole("button", { name: "Accept invitation" }).click();
  await expect(member).toHaveURL(/\/dashboard$/);
  return { context, member };
}

/** Creates an API key in Settings and returns its plaintext (shown once). */
export async function createApiKey(page: Page, name: string, shot?: string): Promise<string> {
  await page.goto("/settings/api-keys");
  if (shot) await screenshot(page, `${shot}-empty`);
  await page.getByRole("button", { name: "Create API key" }).first().click();
  await page.getByRole("dialog").getByLabel("Name").fill(name);
  await page.getByRole("dialog").getByRole("button", { name: "Create key" }).click();
  const keyField = page.getByRole("dialog").locator("input[readonly]");
  await expect(keyField).toHaveValue(/^hr_live_/);
  if (shot) await screenshot(page, `${shot}-created`);
  const key = await keyField.inputValue();
  await page.keyboard.press("Escape");
  return key;
}
