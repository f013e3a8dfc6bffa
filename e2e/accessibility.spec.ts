import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { createApiKey, screenshot, signUp, uniqueEmail } from "./fixtures";

const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** axe's serious and critical violations on the page as it is now, one line each (empty when there are none). */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 5)
          .map((n) => `${n.target.join(" ")}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, " ")}]` : ""}`)
          .join("; ")}${v.nodes.length > 5 ? ` (+${v.nodes.length - 5} more)` : ""}`,
    );
}

/** How far the page scrolls sideways past the viewport, and the widest elements sticking out. */
async function overflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth <= width) return null;
    const culprits = [...document.body.querySelectorAll<HTMLElement>("*")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
      .slice(0, 5)
      .map((el) => {
        const cls = typeof el.className === "string" ? el.className.split(/\s+/).slice(0, 4).join(".") : "";
        return `${el.tagName.toLowerCase()}${cls ? `.${cls}` : ""} (right ${Math.round(el.getBoundingClientRect().right)})`;
      });
    return `scrollWidth ${scrollWidth} > ${width}: ${culprits.join(", ")}`;
  });
}

/**
 * Every page, signed out and signed in, at 1440×900 and at 390×844: no serious or critical axe violation, and at
 * 390 px nothing wider than the viewport. Each page has content (a webhook with a long URL and name, deliveries,
 * events, an OAuth credential, an event type of the company's own), so lists and details are checked filled in.
 */
test("every page passes axe (no serious or critical violation) and fits a 390 px phone", async ({ page, request }) => {
  test.setTimeout(240_000);
  const receiver = await startReceiver();
  const problems: string[] = [];

  async function check(path: string, label = path, options: { shot?: string } = {}) {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      const where = `${label} at ${viewport.width}px`;
      for (const v of await seriousViolations(page)) problems.push(`${where}: ${v}`);
      if (viewport === PHONE) {
        const wide = await overflow(page);
        if (wide) problems.push(`${where}: scrolls sideways, ${wide}`);
        if (options.shot) await screenshot(page, `a11y-${options.shot}-phone`);
      }
    }
    await page.setViewportSize(DESKTOP);
  }

  try {
    // Signed out.
    for (const path of ["/sign-in", "/sign-up", "/forgot-password"]) await check(path);

    await signUp(page, {
      name: "Ada Access",
      email: uniqueEmail("a11y"),
      password: "ada-access-pass-7",
      company: "Accessible Partner CRM Company",
    });
    const key = await createApiKey(page, "CRM integration");
    const auth = { authorization: `Bearer ${key}` };

    // A webhook with a long name and a long URL (they must wrap on a phone), and a second one switched off.
    const created = await request.post("/api/v1/webhooks", {
      headers: auth,
      data: {
        name: "Partner CRM contact synchronisation for the invoicing department",
        description: "Sends every new contact to the partner CRM so invoices reach the right person.",
        eventTypes: ["contact.created", "deal.updated"],
        url: `${receiver.url}/integrations/partner-crm/webhooks/contacts/created?token=abcdefghijklmnopqrstuvwxyz0123456789`,
        active: true,
      },
    });
    expect(created.status()).toBe(201);
    const webhookId = ((await created.json()) as { webhook: { id: string } }).webhook.id;
    const off = await request.post("/api/v1/webhooks", {
      headers: auth,
      data: { name: "Won deals", eventType: "deal.created", url: `${receiver.url}/won`, active: false },
    });
    expect(off.status()).toBe(201);

    // Events: two reach the receiver, one matches nothing.
    const posted = await request.post("/api/v1/events", {
      headers: auth,
      data: [
        { type: "contact.created", data: { id: "c_1", email: "ann@example.com", name: "Ann Example" } },
        { type: "contact.created", data: { id: "c_2", email: "bob@example.com", name: "Bob Example" } },
        { type: "deal.created", data: { id: "d_1", stage: "Won" } },
      ],
    });
    expect(posted.status()).toBe(202);
    await receiver.waitFor(2);

    // An OAuth credential and an event type of the company's own.
    const credential = await request.post("/api/v1/oauth-credentials", {
      headers: auth,
      data: {
        name: "Partner CRM",
        tokenUrl: `${receiver.url}/oauth/token`,
        parameters: [
          { name: "grant_type", value: "client_credentials" },
          { name: "client_id", value: "hookrelay" },
          { name: "client_secret", value: "a-secret-value-1" },
        ],
      },
    });
    expect(credential.status(), await credential.text()).toBe(201);
    const eventType = await request.post("/api/v1/event-types", {
      headers: auth,
      data: {
        type: "ticket.escalated",
        label: "Ticket escalated",
        module: "ticket",
        description: "A ticket is escalated to the second line.",
        sample: { id: "t_1", priority: "High" },
      },
    });
    expect(eventType.status(), await eventType.text()).toBe(201);

    // An invitation: a row in the outbox and a pending one on the members page.
    await page.goto("/settings/members");
    await page.getByRole("button", { name: "Invite member" }).click();
    const invite = page.getByRole("dialog");
    await invite.getByLabel("Email").fill(uniqueEmail("invited-colleague-with-a-long-address"));
    await invite.getByRole("combobox", { name: "Role" }).click();
    await page.getByRole("option", { name: "Member" }).click();
    await invite.getByRole("button", { name: "Send invitation" }).click();
    await expect(page.getByText(/Invitation sent to/).first()).toBeVisible();
    await page.keyboard.press("Escape");

    // Signed in: every page of the app.
    await check("/dashboard", "/dashboard", { shot: "dashboard" });
    await check("/webhooks", "/webhooks", { shot: "webhooks" });
    await check("/webhooks/new", "/webhooks/new", { shot: "webhook-new" });
    await check(`/webhooks/${webhookId}`, "webhook edit", { shot: "webhook-edit" });
    await check(`/webhooks/${webhookId}/history`, "history", { shot: "history" });

    await page.goto(`/webhooks/${webhookId}/history`);
    await expect(page.locator(`a[href*="/history/"]`).first()).toBeVisible({ timeout: 20_000 });
    const deliveryPath = new URL((await page.locator(`a[href*="/history/"]`).first().getAttribute("href"))!, page.url())
      .pathname;
    await check(deliveryPath, "a delivery", { shot: "delivery" });

    await check("/events", "/events", { shot: "events" });
    await page.goto("/events");
    const eventLink = page.locator(`a[href^="/events/"]`).first();
    await expect(eventLink).toBeVisible();
    const eventPath = (await eventLink.getAttribute("href"))!;
    await check(eventPath, "an event", { shot: "event" });

    await check("/event-types", "/event-types", { shot: "event-types" });
    await check("/oauth", "/oauth", { shot: "oauth" });
    for (const tab of ["members", "roles", "api-keys", "company", "plan", "outbox", "audit", "account"]) {
      await check(`/settings/${tab}`, `/settings/${tab}`, { shot: `settings-${tab}` });
    }

    // A toast: switching a webhook on from the list.
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.goto("/webhooks");
      const toggle = page.getByRole("switch", { name: "Won deals active" });
      await toggle.click();
      const toast = page.locator("[data-sonner-toast]").first();
      await expect(toast).toBeVisible();
      // Checked once it has faded in (half-transparent text would be measured mid-animation).
      await expect.poll(() => toast.evaluate((el) => getComputedStyle(el).opacity)).toBe("1");
      for (const v of await seriousViolations(page)) problems.push(`a toast at ${viewport.width}px: ${v}`);
      if (viewport === PHONE) await screenshot(page, "a11y-toast-phone", { viewport: true });
    }
    await page.setViewportSize(DESKTOP);

    expect(problems, `\n${problems.join("\n")}\n`).toEqual([]);
  } finally {
    await receiver.close();
  }
});
