import { describe, expect, it } from "vitest";
import { getPath, renderTemplate, TemplateError, TemplateLimitError, validateTemplate } from "./template";

const hostile = "a\"b\\c\r\nX-Injected: 1{{event.id}}{% if true %}yes{% endif %}<script>alert(1)</script>&'";
const ctx = {
  event: { id: "evt_1", type: "deal.updated", occurredAt: "2026-01-02T03:04:05.000Z" },
  data: { id: 42, name: hostile, owner: { email: "o@example.com" }, tags: ["a", "b"], active: true, nothing: null },
  previous: { stage: "Open" },
};

describe("renderTemplate", () => {
  it("fills placeholders, including nested paths and filters", () => {
    expect(
      renderTemplate("{{event.type}} #{{ data.id }} by {{data.owner.email}} was {{previous.stage | upcase}}", ctx),
    ).toBe("deal.updated #42 by o@example.com was OPEN");
  });

  it("renders a missing field empty and never throws for it", () => {
    expect(
      renderTemplate("[{{data.missing}}|{{data.missing.deeper.still}}|{{nothing.at.all}}|{{data.nothing}}]", ctx),
    ).toBe("[|||]");
    expect(renderTemplate("x{{previous.stage}}y", { event: {}, data: {}, previous: null })).toBe("xy");
  });

  it("returns text without placeholders untouched", () => {
    expect(renderTemplate("plain {text}", ctx)).toBe("plain {text}");
  });

  it("json: strings become JSON string content, other values JSON, and the result parses", () => {
    const out = renderTemplate(
      '{"name":"{{data.name}}","id":{{data.id}},"owner":{{data.owner}},"tags":{{data.tags}},"active":{{data.active}},"missing":"{{data.nope}}"}',
      ctx,
      { escape: "json" },
    );
    const parsed = JSON.parse(out);
    expect(parsed).toEqual({
      name: hostile,
      id: 42,
      owner: { email: "o@example.com" },
      tags: ["a", "b"],
      active: true,
      missing: "",
    });
  });

  it("event data holding placeholders or tags is printed as text, not evaluated", () => {
    const out = renderTemplate("{{data.name}}", ctx);
    expect(out).toContain("{{event.id}}");
    expect(out).toContain("{% if true %}");
    expect(out).not.toContain("evt_1");
  });

  it("xml: markup in data is escaped", () => {
    const out = renderTemplate("<name>{{data.name}}</name>", ctx, { escape: "xml" });
    expect(out).not.toContain("<script>");
    expect(out).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&apos;");
    expect(out).toContain("a&quot;b");
  });

  it("url: values are percent-encoded", () => {
    const out = renderTemplate("https://h.example/x/{{data.name}}?e={{data.owner.email}}", ctx, { escape: "url" });
    expect(out).toBe(`https://h.example/x/${encodeURIComponent(hostile)}?e=o%40example.com`);
    expect(out).not.toMatch(/[\r\n<>"]/);
  });

  it("header: CR/LF are stripped", () => {
    const out = renderTemplate("Token {{data.name}}", ctx, { escape: "header" });
    expect(out).not.toMatch(/[\r\n]/);
    expect(out).toContain("X-Injected: 1");
  });

  it("the raw filter cannot switch escaping off", () => {
    expect(renderTemplate("{{ data.name | raw }}", ctx, { escape: "xml" })).not.toContain("<script>");
  });

  it("refuses unknown filters and bad syntax with a TemplateError", () => {
    expect(() => renderTemplate("{{ data.id | no_such_filter }}", ctx)).toThrow(TemplateError);
    expect(() => validateTemplate("{% if %}")).toThrow(TemplateError);
  });

  it("has no file system access", () => {
    expect(() => renderTemplate('{% include "/etc/passwd" %}', ctx)).toThrow(TemplateError);
    expect(() => renderTemplate('{% render "../../package.json" %}', ctx)).toThrow(TemplateError);
  });

  it("bounds output", () => {
    expect(() => renderTemplate("{% for i in (1..100000000) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}", ctx)).toThrow(
      TemplateError,
    );
  });

  it("does not reach prototype properties", () => {
    expect(renderTemplate("[{{data.constructor}}|{{data.__proto__}}|{{data.tags.constructor}}]", ctx)).toBe("[||]");
  });

  it("reuses the parsed template for the same source", () => {
    const src = "{{data.id}}-{{event.id}}";
    expect(renderTemplate(src, ctx)).toBe("42-evt_1");
    expect(renderTemplate(src, { ...ctx, data: { id: 7 } })).toBe("7-evt_1");
  });
});

describe("getPath", () => {
  const obj = { data: { owner: { email: "a@b" }, items: [{ sku: "X" }], zero: 0 } };
  it("reads dotted paths", () => {
    expect(getPath(obj, "data.owner.email")).toBe("a@b");
    expect(getPath(obj, "data.items.0.sku")).toBe("X");
    expect(getPath(obj, "data.zero")).toBe(0);
  });
  it("is undefined for missing steps and never reads the prototype", () => {
    expect(getPath(obj, "data.owner.name")).toBeUndefined();
    expect(getPath(obj, "data.zero.x")).toBeUndefined();
    expect(getPath(obj, "data.constructor")).toBeUndefined();
    expect(getPath(obj, "data..owner")).toBeUndefined();
    expect(getPath(null, "a")).toBeUndefined();
  });
});

describe("limits inside the engine", () => {
  const X = "x".repeat(100);
  const capture = `{% capture a %}{% for i in (1..1000) %}${X}{% endfor %}{% endcapture %}{% capture b %}{% for i in (1..3000) %}{{a}}{% endfor %}{% endcapture %}`;

  it("counts what is printed into captures, and stops the crash template of issue 12 at once with a clear message", () => {
    for (const escape of ["none", "json", "xml", "url"] as const) {
      expect(() => renderTemplate(`${capture}{{ b | replace: "x", "y" | size }}`, ctx, { escape })).toThrow(
        TemplateLimitError,
      );
      expect(() => renderTemplate(`${capture}{{ b | replace: "x", "y" | size }}`, ctx, { escape })).toThrow(
        /prints more than 4,000,000 characters/,
      );
    }
  });

  it("refuses a filter's text past 4,000,000 characters (built without printing: doubling through assign)", () => {
    expect(() =>
      renderTemplate(
        '{% assign s = "xx" %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}',
        ctx,
      ),
    ).toThrow(/longer than 4,000,000 characters \(at the append filter\)/);
  });

  it("leaves ordinary templates alone", () => {
    expect(
      renderTemplate(
        '{% capture c %}{% for i in (1..100) %}{{ data.id }},{% endfor %}{% endcapture %}{{ c | split: "," | size }}',
        ctx,
      ),
    ).toBe("100");
  });
});
