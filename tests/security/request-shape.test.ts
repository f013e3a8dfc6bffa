import { afterAll, describe, expect, it } from "vitest";
import { buildRequest, BuildRequestError, type DeliveryEvent, type RequestConfig } from "@/lib/delivery/build-request";
import { sendSafely } from "@/lib/delivery/http-client";
import { startReceiver } from "@/tests/receiver";

/**
 * Issue 13 item 10: what a record's data fills into a request cannot change its shape. A URL path
 * placeholder whose value is "." or ".." would have moved the request to another path (the URL parser
 * resolves dot segments: "/hdr/{{data.p}}/end" with ".." called "/end"); such a request is now refused
 * with an error that says why. Header values with characters outside Latin-1 (which a header cannot
 * carry: the send failed with kind "other") are sent percent-encoded as UTF-8.
 */
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

const base: RequestConfig = {
  method: "POST",
  url: "https://receiver.example.com/hdr/{{data.p}}/end",
  includeEntityParams: false,
  headers: [],
  auth: { type: "none" },
  body: { mode: "raw", encoding: "json", fields: [], constants: [], template: "" },
} as unknown as RequestConfig;
const ctx = { deliveryId: "msg_1", timestamp: new Date("2026-11-27T12:00:00Z"), signingSecrets: [], secrets: {} };
const event = (data: Record<string, unknown>): DeliveryEvent => ({
  id: "evt_1",
  type: "deal.updated",
  occurredAt: "2026-11-27T12:00:00.000Z",
  data,
});

describe("URL path placeholders", () => {
  it.each(["..", ".", "%2e%2e", ".%2E"])(
    "a value of %j cannot move the request to another path: refused, saying why",
    (p) => {
      let error: unknown;
      try {
        const built = buildRequest(base, event({ id: "d1", p }), ctx);
        // What the old builder did: the path lost its segments.
        error = new Error(`built ${built.url}`);
      } catch (err) {
        error = err;
      }
      if (p.includes("%")) {
        // A literal "%" in data is itself encoded ("%252e"): an ordinary segment, not a dot segment.
        expect(String(error)).toMatch(/built https:\/\/receiver\.example\.com\/hdr\/[.%]*%25[^/]*\/end/);
      } else {
        expect(error).toBeInstanceOf(BuildRequestError);
        expect((error as BuildRequestError).code).toBe("invalid_url");
        expect((error as Error).message).toMatch(
          /^The URL's path has a "\." or "\.\." segment after filling placeholders/,
        );
      }
    },
  );

  it("keeps ordinary values, with slashes encoded inside their segment", () => {
    expect(buildRequest(base, event({ p: "a/../b" }), ctx).url).toBe("https://receiver.example.com/hdr/a%2F..%2Fb/end");
    expect(buildRequest(base, event({ p: "v1.2" }), ctx).url).toBe("https://receiver.example.com/hdr/v1.2/end");
  });
});

describe("header values outside Latin-1", () => {
  it("are sent percent-encoded as UTF-8 instead of failing the request", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const config = {
      ...base,
      url: `${receiver.url}/in`,
      headers: [{ name: "X-Customer", value: "{{data.name}}" }],
    } as RequestConfig;
    const built = buildRequest(config, event({ name: "Zoë 日本 😀" }), ctx);
    expect(built.headers["X-Customer"]).toBe("Zoë %E6%97%A5%E6%9C%AC %F0%9F%98%80");
    const outcome = await sendSafely(
      { method: built.method, url: built.url, headers: built.headers, body: built.body },
      { timeoutMs: 5000, allowPrivate: true },
    );
    expect(outcome.error).toBeNull();
    expect(outcome.status).toBe(200);
    expect(Buffer.from(receiver.received[0].headers["x-customer"] as string, "latin1").toString("latin1")).toBe(
      "Zoë %E6%97%A5%E6%9C%AC %F0%9F%98%80",
    );
    expect(decodeURIComponent("%E6%97%A5%E6%9C%AC %F0%9F%98%80")).toBe("日本 😀");
  });
});
