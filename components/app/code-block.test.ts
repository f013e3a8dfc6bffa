import { describe, expect, it } from "vitest";
import { toExtendedXml } from "@/lib/delivery/xml-extended";
import { prettyBody, prettyXml } from "./code-block";

describe("prettyBody", () => {
  it("indents JSON, and XML one element a line", () => {
    expect(prettyBody('{"a":1}')).toBe('{\n  "a": 1\n}');
    const xml = toExtendedXml({ id: "d_1", tags: ["a"], owner: { name: "Ann & <co>" }, none: null });
    expect(prettyBody(xml)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<event type="hash">',
        '  <id type="string">d_1</id>',
        '  <tags type="array">',
        '    <tag type="string">a</tag>',
        "  </tags>",
        '  <owner type="hash">',
        '    <name type="string">Ann &amp; &lt;co&gt;</name>',
        "  </owner>",
        '  <none nil="true"/>',
        "</event>",
      ].join("\n"),
    );
    // Only the whitespace between elements changes.
    expect(prettyBody(xml).replace(/\n\s*/g, "")).toBe(xml);
  });

  it("leaves text that is not balanced XML as it came", () => {
    for (const text of ["plain text", "<a><b></a>", "<a>", "<a>x</b>", "a < b > c", "<a>1 > 0</a>"])
      expect(prettyBody(text)).toBe(text);
    expect(prettyXml("<html><body>502 Bad Gateway</body></html>")).toBe(
      "<html>\n  <body>502 Bad Gateway</body>\n</html>",
    );
  });
});
