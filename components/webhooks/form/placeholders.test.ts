import { describe, expect, it } from "vitest";
import { placeholderQuery, placeholderSuggestions, replaceQuery } from "./placeholders";

describe("placeholder suggestions", () => {
  it("notices an unclosed {{ before the caret, not a closed one", () => {
    expect(placeholderQuery("https://x.test/{{", 17)).toEqual({ text: "", start: 15 });
    expect(placeholderQuery("https://x.test/{{data.ow", 24)).toEqual({ text: "data.ow", start: 15 });
    expect(placeholderQuery("https://x.test/{{data.id}}/", 27)).toBeNull();
    expect(placeholderQuery("https://x.test/{{data.id}}", 10)).toBeNull();
  });

  it("offers the event's and the record's placeholders, narrowed by what is typed", () => {
    const fields = ["id", "owner.email", "amount"];
    expect(placeholderSuggestions("", fields)).toEqual([
      "event.id",
      "event.type",
      "event.occurredAt",
      "data.id",
      "data.owner.email",
      "data.amount",
    ]);
    expect(placeholderSuggestions("ow", fields)).toEqual(["data.owner.email"]);
    expect(placeholderSuggestions("data.am", fields)).toEqual(["data.amount"]);
    expect(placeholderSuggestions("zzz", fields)).toEqual([]);
  });

  it("replaces what was typed with the whole placeholder and puts the caret after it", () => {
    expect(replaceQuery("a/{{da/b", 2, 6, "data.id")).toEqual({ value: "a/{{data.id}}/b", caret: 13 });
    // A closing }} already there is reused, not doubled.
    expect(replaceQuery("a/{{da}}/b", 2, 6, "data.id")).toEqual({ value: "a/{{data.id}}/b", caret: 13 });
  });
});
