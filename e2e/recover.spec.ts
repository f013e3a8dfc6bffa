import { expect, test } from "@playwright/test";
import { startReceiver } from "../tests/receiver";
import { createApiKey, screenshot, signUp, uniqueEmail } from "./fixtures";

test("Recover… sends the events that arrived while a webhook listening to two types was switched off", async ({
  page,
  request,
}) => {
  const receiver = await startReceiver();
  try {
    await signUp(page, {
      name: "Rita Recover",
      email: uniqueEmail("recover"),
      password: "rita-recover-11",
      company: "Recover Co",
    });
    const key = await createApiKey(page, "CRM");
    const auth = { authorization: `Bearer ${key}` };

    // Created or updated deals that are won: one webhook, two event types; switched off for now.
    const created = await request.post("/api/v1/webhooks", {
      headers: auth,
      data: {
        name: "Won deals",
        eventTypes: ["deal.created", "deal.updated"],
        url: `${receiver.url}/won`,
        active: false,
        conditions: { match: "all", rules: [{ field: "stage", operator: "equals", value: "Won" }] },
      },
    });
    expect(created.status()).toBe(201);
    const webhook = ((await created.json()) as { webhook: { id: string; eventTypes: string[] } }).webhook;
    expect(webhook.eventTypes).toEqual(["deal.created", "deal.updated"]);

    // While it is off: two won deals (one of each type) and a lost one. Nothing is sent.
    const events = [
      { type: "deal.created", data: { id: "d_1", stage: "Won" } },
      { type: "deal.updated", data: { id: "d_2", stage: "Won" } },
      { type: "deal.updated", data: { id: "d_3", stage: "Lost" } },
    ];
    const posted = await request.post("/api/v1/events", { headers: auth, data: events });
    expect(posted.status()).toBe(202);
    expect(((await posted.json()) as { events: { deliveries: number }[] }).events.map((e) => e.deliveries)).toEqual([
      0, 0, 0,
    ]);

    // Recover is refused while the webhook is off, and says why.
    await page.goto(`/webhooks/${webhook.id}/history`);
    await page.getByRole("button", { name: "Recover…" }).click();
    const dialog = page.getByRole("dialog", { name: "Recover missed events" });
    await expect(dialog.getByRole("alert")).toContainText("Switch the webhook on first");
    await expect(dialog.getByRole("button", { name: "Recover", exact: true })).toBeDisabled();
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Switched on, then recovered since the time the dialog suggests (24 hours ago: it never failed).
    expect(
      (await request.patch(`/api/v1/webhooks/${webhook.id}`, { headers: auth, data: { active: true } })).status(),
    ).toBe(200);
    await page.reload();
    await page.getByRole("button", { name: "Recover…" }).click();
    await expect(dialog.getByLabel("Since")).not.toHaveValue("");
    await screenshot(page, "recover-dialog");
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "recover-dialog-phone", { viewport: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    await dialog.getByRole("button", { name: "Recover", exact: true }).click();
    await expect(page.getByText(/Recovering what Won deals missed/)).toBeVisible();

    // The two won deals arrive; the lost one is not sent.
    await receiver.waitFor(2);
    await expect(page.getByTestId("count-triggered")).toHaveText("2", { timeout: 20_000 });
    await expect.poll(() => receiver.received.length, { timeout: 5_000 }).toBe(2);
    const ids = receiver.received.map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id).sort();
    expect(ids).toEqual(["d_1", "d_2"]);
  } finally {
    await receiver.close();
  }
});
