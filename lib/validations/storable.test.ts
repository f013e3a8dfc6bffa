import { describe, expect, it } from "vitest";
import { findUnstorable } from "./storable";

describe("findUnstorable", () => {
  it("passes what PostgreSQL stores: any valid Unicode (pairs, BMP, emoji), finite numbers, other objects", () => {
    for (const ok of [
      "",
      "plain",
      "é€𝄞😀",
      "\uD83D\uDE00",
      "\uFFFF\uFEFF",
      0,
      -1.5e308,
      1e-320,
      true,
      null,
      { a: [1, { b: "x" }] },
      new Date(0),
    ]) {
      expect(findUnstorable(ok), JSON.stringify(ok)).toBeNull();
    }
  });

  it("finds a NUL character in a value or a key, with the path", () => {
    expect(findUnstorable({ data: { name: "a\u0000b" } })).toEqual({
      path: "data.name",
      message: expect.stringContaining("NUL"),
    });
    expect(findUnstorable({ data: { items: [{ x: 1 }, { ["k\u0000"]: 1 }] } })).toEqual({
      path: "data.items.1",
      message: expect.stringMatching(/^A key .*NUL/),
    });
    expect(findUnstorable("\u0000")).toEqual({ path: "", message: expect.stringContaining("NUL") });
  });

  it("finds unpaired surrogates (high alone, low alone, reversed) but not pairs", () => {
    for (const s of ["\uD800", "x\uDBFFy", "\uDC00", "\uDC00\uD800", "\uD83D\uDE00\uD83D"]) {
      expect(findUnstorable({ v: s }), JSON.stringify(s)).toMatchObject({
        path: "v",
        message: expect.stringContaining("surrogate"),
      });
    }
  });

  it("finds numbers beyond double range (JSON 1e400 parses as Infinity)", () => {
    expect(findUnstorable(JSON.parse('{"a":[1,1e400]}'))).toMatchObject({ path: "a.1" });
    expect(findUnstorable({ a: Number.NaN })).toMatchObject({ path: "a" });
  });

  it("walks any depth without recursion", () => {
    const deep = JSON.parse("[".repeat(100_000) + '"\\u0000"' + "]".repeat(100_000));
    expect(findUnstorable(deep)?.path.split(".")).toHaveLength(100_000);
    expect(findUnstorable(JSON.parse("[".repeat(100_000) + "]".repeat(100_000)))).toBeNull();
  });
});
