import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateSigningSecret } from "@/lib/webhooks";
import { webhookSchema } from "@/lib/validations/webhook";
import { child, elements, parseXml, readExtendedXml, textOf } from "@/tests/strict-xml";
import { buildRequest, type DeliveryEvent } from "./build-request";
import { extendedXmlName, toExtendedXml } from "./xml-extended";

/**
 * Freshsales' "XML (extended)": every output is parsed back by a strict XML reader (tests/strict-xml.ts,
 * which also normalizes line ends and attribute whitespace as a real XML reader does) and decoded
 * by its type attributes alone to exactly the value it was made of.
 */

describe("XML (extended)", () => {
  it("says each element's type: string, integer, float, boolean, date, datetime, array, hash; nulls nil", () => {
    const payload = {
      name: "Ada",
      amount: 48000,
      negative: -3,
      probability: 0.6,
      huge: 2 ** 60,
      won: true,
      lost: false,
      close_date: "2026-11-22",
      occurredAt: "2026-11-22T09:30:00.123Z",
      offset: "2026-11-22T09:30:00+01:00",
      not_a_date: "2026-13-45",
      tags: ["vip", "eu"],
      categories: [1, 2],
      addresses: [{ city: "London" }],
      data: [[1], []],
      owner: { name: "Grace", email: null },
      empty: {},
      none: [],
      blank: "",
      previous: null,
    };
    const xml = toExtendedXml(payload);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><event type="hash">')).toBe(true);
    const root = parseXml(xml);
    const typeOf = (name: string) => child(root, name).attrs.type;
    expect(typeOf("name")).toBe("string");
    expect(typeOf("amount")).toBe("integer");
    expect(typeOf("negative")).toBe("integer");
    expect(typeOf("probability")).toBe("float");
    expect(typeOf("huge")).toBe("float"); // past 2^53 a number is not exact: not claimed as an integer
    expect(typeOf("won")).toBe("boolean");
    expect(typeOf("close_date")).toBe("date");
    expect(typeOf("occurredAt")).toBe("datetime");
    expect(typeOf("offset")).toBe("datetime");
    expect(typeOf("not_a_date")).toBe("string");
    expect(typeOf("tags")).toBe("array");
    expect(typeOf("owner")).toBe("hash");
    expect(child(root, "previous").attrs).toEqual({ nil: "true" });
    expect(child(child(root, "owner"), "email").attrs).toEqual({ nil: "true" });
    // Arrays: one element per item, named after the array.
    expect(elements(child(root, "tags")).map((e) => [e.name, textOf(e)])).toEqual([
      ["tag", "vip"],
      ["tag", "eu"],
    ]);
    expect(elements(child(root, "categories")).map((e) => e.name)).toEqual(["category", "category"]);
    expect(elements(child(root, "addresses")).map((e) => e.name)).toEqual(["address"]);
    expect(elements(child(root, "data")).map((e) => e.name)).toEqual(["item", "item"]);
    expect(xml).toContain('<none type="array"/>');
    expect(xml).toContain('<empty type="hash"/>');
    expect(xml).toContain('<blank type="string"/>');
    expect(readExtendedXml(xml)).toEqual(payload);
  });

  it("keys that are not XML names get a name made of them and the exact key in a key attribute", () => {
    expect(extendedXmlName("first_name")).toBe("first_name");
    expect(extendedXmlName("first name")).toBe("first_name");
    expect(extendedXmlName("1st")).toBe("_1st");
    expect(extendedXmlName("xmlns")).toBe("_xmlns");
    expect(extendedXmlName("")).toBe("_");
    const payload = {
      "first name": "Ada",
      first_name: "Not the same key",
      "1st": 1,
      "": "empty key",
      xmlns: "reserved",
      "<a>": "<b>",
      'a"b': "quote",
      名前: "Lovelace",
      "line\nbreak": "key with a line feed",
      "bell\u0007": "key with a control character",
    };
    const xml = toExtendedXml(payload);
    const root = parseXml(xml);
    const first = elements(root)[0];
    expect(first.name).toBe("first_name");
    expect(first.attrs).toEqual({ key: "first name", type: "string" });
    expect(child(root, "_xmlns").attrs.key).toBe("xmlns");
    expect(readExtendedXml(xml)).toEqual(payload);
  });

  it("hostile values stay text: <, &, ]]>, quotes, CR, control characters, odd characters", () => {
    const payload = {
      markup: '</name><admin type="boolean">true</admin><name>',
      cdata: "]]><![CDATA[x]]>",
      amp: "&amp; & &#65;",
      crlf: "a\r\nb\rc\nd\te",
      control: "bell\u0007 esc\u001b[31m nul-less \u0001",
      noncharacter: "\uFFFE\uFFFF",
      emoji: "😀 é € \u2028",
      looksLikeNil: 'nil="true"',
    };
    const xml = toExtendedXml(payload);
    expect(xml).not.toContain("<admin");
    expect(xml).not.toContain("]]>");
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\r]/);
    const root = parseXml(xml);
    expect(child(root, "control").attrs).toEqual({ type: "string", encoding: "base64" });
    expect(child(root, "markup").attrs).toEqual({ type: "string" });
    expect(readExtendedXml(xml)).toEqual(payload);
  });

  it("any JSON record round-trips exactly through the strict reader", () => {
    const key = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom("", "1", "xml", "a b", "<", "]]>", "&", '"', "\r\n", "\u0001", "type", "nil", "key"),
    );
    const leafValue = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 10 }),
      fc.string({ unit: "binary", maxLength: 10 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom("2026-11-22", "2026-11-22T09:30:00Z", "]]>", "\r"),
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leafValue,
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(key, tie("value"), { maxKeys: 5 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (payload) => {
        expect(readExtendedXml(toExtendedXml(payload))).toEqual(payload);
      }),
      { numRuns: 300 },
    );
  });

  it("past 32 levels a value is sent as its JSON text", () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) deep = { n: deep };
    const root = parseXml(toExtendedXml(deep));
    let el = root;
    for (let i = 0; i < 32; i++) el = child(el, "n");
    expect(el.attrs.type).toBe("string");
    expect(JSON.parse(textOf(el))).toHaveProperty("n");
  });

  it("is a body encoding: raw and fields modes, application/xml", () => {
    const event: DeliveryEvent = {
      id: "evt_1",
      type: "deal.updated",
      occurredAt: "2026-11-22T09:30:00.000Z",
      data: { id: "d_1", amount: 48000, tags: ["a"] },
      previous: null,
    };
    const ctx = { deliveryId: "dlv_1", timestamp: new Date(), signingSecrets: [generateSigningSecret()], secrets: {} };
    const raw = buildRequest(
      webhookSchema.parse({
        name: "X",
        eventType: "deal.updated",
        url: "https://example.com/x",
        body: { mode: "raw", encoding: "xml_extended" },
      }),
      event,
      ctx,
    );
    expect(raw.headers["Content-Type"]).toBe("application/xml; charset=utf-8");
    expect(readExtendedXml(raw.body!)).toEqual({ ...event });
    const fields = buildRequest(
      webhookSchema.parse({
        name: "X",
        eventType: "deal.updated",
        url: "https://example.com/x",
        body: {
          mode: "fields",
          encoding: "xml_extended",
          fields: [{ path: "amount", as: "deal value" }],
          constants: [{ name: "source", value: "crm", secret: false }],
        },
      }),
      event,
      ctx,
    );
    expect(fields.body).toContain('<deal_value key="deal value" type="integer">48000</deal_value>');
    expect(readExtendedXml(fields.body!)).toEqual({ "deal value": 48000, source: "crm" });
  });
});
