import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { postgresTarget } from "../db/url";
import { startReceiver } from "../tests/receiver";
import { createApiKey, screenshot, signUp, uniqueEmail } from "./fixtures";

interface Email {
  to: string[];
  subject: string;
  html: string;
  text: string;
}

async function emailsTo(address: string): Promise<Email[]> {
  const res = await fetch(`${process.env.E2E_RESEND_URL}/emails`);
  return ((await res.json()) as Email[]).filter((e) => e.to.includes(address));
}

test("a failing receiver shows in the history with its meaning, one email reaches the admins, and Resync delivers once it is fixed", async ({
  page,
  request,
}) => {
  test.skip(
    !process.env.E2E_RESEND_URL || !process.env.E2E_DATABASE_URL,
    "run through npm run test:e2e (Resend stand-in and database)",
  );
  let failing = true;
  const receiver = await startReceiver(() =>
    failing
      ? { status: 500, body: '{"error":"database is down"}', headers: { "content-type": "application/json" } }
      : { status: 200, body: "thanks" },
  );
  const [target, socket] = postgresTarget(process.env.E2E_DATABASE_URL!);
  const sql = postgres(target, { ...socket, max: 1 });
  try {
    const ownerEmail = uniqueEmail("ops");
    await signUp(page, { name: "Omar Ops", email: ownerEmail, password: "omar-ops-pass-11", company: "Ops Co" });
    const key = await createApiKey(page, "CRM");
    const auth = { authorization: `Bearer ${key}` };

    // A webhook without retries, switched on, created over the management API.
    const created = await request.post("/api/v1/webhooks", {
      headers: auth,
      data: {
        name: "Sync contacts",
        eventType: "contact.created",
        url: `${receiver.url}/contacts`,
        active: true,
        retryPolicy: { type: "preset", preset: "none" },
      },
    });
    expect(created.status()).toBe(201);
    const webhookId = ((await created.json()) as { webhook: { id: string } }).webhook.id;

    // Ten contacts within the hour: ten failures.
    const events = Array.from({ length: 10 }, (_, i) => ({
      type: "contact.created",
      data: { id: `c_${i}`, email: `c${i}@example.com` },
    }));
    expect((await request.post("/api/v1/events", { headers: auth, data: events })).status()).toBe(202);
    await receiver.waitFor(10);

    await page.goto(`/webhooks/${webhookId}/history`);
    await expect(page.getByTestId("count-failed")).toHaveText("10", { timeout: 20_000 });
    await expect(page.getByTestId("count-triggered")).toHaveText("10");
    await page.getByRole("link", { name: "Failed" }).click();
    await expect(page.getByRole("row").filter({ hasText: "contact.created" })).toHaveCount(10);
    await screenshot(page, "history");

    // The detail: the attempt's request and response, with the status in plain words.
    await page.getByRole("link", { name: "Details of contact.created c_0" }).click();
    await expect(page.getByRole("region", { name: "Attempt 1" }).getByTestId("attempt-meaning")).toContainText(
      "500 Internal server error",
    );
    await expect(page.getByLabel("Attempt 1 response body")).toContainText("database is down");
    await expect(page.getByText("Failed for good")).toBeVisible();
    await screenshot(page, "delivery-detail");

    // Exactly one failure email for the ten failures, with the callback URL in it.
    await expect.poll(async () => (await emailsTo(ownerEmail)).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await expect
      .poll(
        async () => {
          // All ten failures are recorded (counted above) and each sent its throttled notify job with it;
          // wait until none is due or running any more (the next hour's slot may wait, not yet due).
          const [{ due, done }] = await sql<{ due: number; done: number }[]>`
          select count(*) filter (where state = 'active' or (state in ('created', 'retry') and start_after <= now()))::int as due,
                 count(*) filter (where state = 'completed')::int as done
          from pgboss.job where name = 'notify-failure' and data->>'webhookId' = ${webhookId}`;
          return due === 0 && done >= 1;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    const emails = await emailsTo(ownerEmail);
    expect(emails).toHaveLength(1);
    expect(emails[0].html).toContain(`${receiver.url}/contacts`);
    expect(emails[0].text).toContain(`${receiver.url}/contacts`);

    // The receiver is fixed: Resync → success shows without reloading the page.
    failing = false;
    await page.getByRole("button", { name: "Resync now" }).click();
    await expect(page.getByText("Delivered", { exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole("region", { name: "Attempt 2" })).toContainText("Manual · Omar Ops");
    await expect(page.getByRole("region", { name: "Attempt 2" }).getByTestId("attempt-meaning")).toContainText(
      "200 OK",
    );
    const resent = receiver.received[receiver.received.length - 1];
    expect(resent.headers["webhook-id"]).toBe(
      receiver.received.find((r) => r.body.includes('"c_0"'))?.headers["webhook-id"],
    );
    await page.goto(`/webhooks/${webhookId}/history`);
    await expect(page.getByTestId("count-succeeded")).toHaveText("1");
    await expect(page.getByTestId("count-failed")).toHaveText("9");

    // Retry all failed: a background job re-queues the nine, its progress shows, and they succeed.
    await page.getByRole("button", { name: "Retry all failed" }).click();
    await page
      .getByRole("dialog", { name: "Retry all failed deliveries?" })
      .getByRole("button", { name: "Retry deliveries" })
      .click();
    // The toast says it started (the progress banner may come and go before the page refreshes: nine quick
    // deliveries to a local receiver).
    await expect(page.getByText(/Retrying the failed deliveries of Sync contacts/)).toBeVisible();
    await expect(page.getByTestId("count-succeeded")).toHaveText("10", { timeout: 20_000 });
    await expect(page.getByTestId("count-failed")).toHaveText("0");
    // The banner ends with the work, and with nothing failed there is nothing to retry.
    await expect(page.getByTestId("bulk-retry-status")).toBeHidden({ timeout: 20_000 });
    await expect(page.getByRole("button", { name: "Retry all failed" })).toBeDisabled();
    await screenshot(page, "history-retried");

    // The events page: what came in and which webhooks it matched; a test event from the catalog.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
    await expect(page.getByRole("link", { name: "Payload of contact.created c_0" })).toBeVisible();
    await page.getByRole("button", { name: "Send a test event" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Send a test event" });
    await dialog.getByRole("combobox", { name: "Event type" }).click();
    await page.getByRole("textbox", { name: "Search events" }).fill("new contact");
    await page.getByRole("option", { name: /New contact/ }).click();
    const receivedBefore = receiver.received.length;
    await dialog.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByText(/Test event sent: it matched 1 webhook/)).toBeVisible();
    await receiver.waitFor(receivedBefore + 1);
    await screenshot(page, "events");

    // The dashboard: deliveries per hour, success rate, latency, the webhooks failing most.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(page.getByTestId("stat-deliveries")).toBeVisible();
    await expect(page.getByRole("link", { name: "History of Sync contacts" })).toBeVisible();
    // The charts load after the page (recharts is not part of its first load): both arrive.
    await expect(page.locator("svg.recharts-surface")).toHaveCount(2);
    await screenshot(page, "dashboard-charts");
  } finally {
    await sql.end();
    await receiver.close();
  }
});
