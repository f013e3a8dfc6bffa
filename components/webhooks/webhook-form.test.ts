import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";

vi.mock("next/navigation", () => ({ useRouter: () => ({ push() {}, refresh() {}, replace() {} }) }));
vi.mock("@/app/(app)/webhooks/actions", () => ({}));

import { eventTypeOptions } from "@/lib/events/catalog";
import { WebhookForm, type WebhookFormProps } from "./webhook-form";

/**
 * The split form (components/webhooks/form/) still renders what the Playwright specs drive it by:
 * the section regions, the row labels, the Secret switches' names, the tabs and the action bar.
 */
function render(overrides: Partial<WebhookFormProps>): string {
  const props: WebhookFormProps = {
    mode: "create",
    defaults: { name: "", eventTypes: ["deal.updated"], url: "" },
    savedSecrets: { basic: false, apiKey: false, bearer: false, headers: [], constants: [] },
    eventTypes: eventTypeOptions(),
    credentials: [],
    canManage: true,
    ...overrides,
  };
  return renderToStaticMarkup(createElement(WebhookForm, props));
}

function regionTitles(html: string): string[] {
  return [
    ...html.matchAll(/role="region"[^>]*aria-labelledby="([^"]+)"|aria-labelledby="([^"]+)"[^>]*role="region"/g),
  ].map((m) => {
    const id = m[1] ?? m[2];
    return new RegExp(`id="${id}"[^>]*>([^<]+)<`).exec(html)?.[1] ?? "";
  });
}

describe("WebhookForm", () => {
  it("has its six sections as named regions and the action bar", () => {
    const html = render({});
    expect(regionTitles(html)).toEqual(["Basics", "Trigger", "Request", "Authentication", "Body", "Delivery"]);
    expect(html).toContain("data-form-actions");
    expect(html).toContain(">Create webhook<");
    expect(html).toMatch(/>Test<\/button>/);
    expect(html).toContain("Add header");
    expect(html).toContain(">Selected parameters<");
    expect(html).toContain(">Advanced template<");
  });

  it("labels header and constant rows, and names each Secret switch after its row", () => {
    const html = render({
      mode: "edit",
      webhookId: "5f0c7a4e-3b1d-4c2a-9e8f-0a1b2c3d4e5f",
      defaults: {
        name: "Contacts",
        eventTypes: ["contact.created"],
        url: "https://crm.example/hook",
        headers: [
          { name: "X-Api-Token", value: "", secret: true },
          { name: "X-Source", value: "crm" },
        ],
        body: {
          mode: "fields",
          encoding: "json",
          fields: [{ path: "id" }],
          constants: [{ name: "authtoken", value: "", secret: true }],
        },
      },
      savedSecrets: { basic: false, apiKey: false, bearer: false, headers: ["x-api-token"], constants: ["authtoken"] },
    });
    for (const label of [
      "Header 1 name",
      "Header 1 value",
      "Header 2 name",
      "Keep X-Api-Token secret",
      "Keep X-Source secret",
      "Constant 1 name",
      "Constant 1 value",
      "Keep authtoken secret",
      "Field 1",
      "Field 1 sent as",
    ]) {
      expect(html).toContain(`aria-label="${label}"`);
    }
    expect(html).toContain('placeholder="Saved — type to replace"');
    expect(html).toContain("Add constant");
    expect(html).toContain(">Save changes<");
  });

  it("says a GET sends no body, and shows no action bar without Manage Webhooks", () => {
    const html = render({
      defaults: { name: "G", eventTypes: ["deal.updated"], url: "", method: "GET" },
      canManage: false,
    });
    expect(html).toContain("GET requests have no body");
    expect(regionTitles(html)).toEqual(["Basics", "Trigger", "Request", "Authentication", "Delivery"]);
    expect(html).not.toContain("data-form-actions");
  });
});
