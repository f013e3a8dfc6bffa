import { describe, expect, it } from "vitest";
import { EVENT_TYPES, KNOWN_FIELD_VALUES, eventTypeOptions, knownFieldValues, sampleValues } from "./catalog";

describe("sampleValues", () => {
  it("gives each field path of a sample its value as text, nested paths and arrays included, long ones cut", () => {
    const values = sampleValues({
      stage: "Won",
      amount: 48000,
      active: false,
      owner: { email: "grace@example.com" },
      tags: ["a", "b"],
      note: "x".repeat(60),
      empty: null,
    });
    expect(values).toEqual({
      stage: "Won",
      amount: "48000",
      active: "false",
      "owner.email": "grace@example.com",
      tags: '["a","b"]',
      note: `${"x".repeat(47)}…`,
      empty: "null",
    });
  });

  it("is what the form's options carry, for every field the picker lists", () => {
    for (const option of eventTypeOptions()) {
      expect(Object.keys(option.sampleValues ?? {})).toEqual(option.fields);
    }
    expect(eventTypeOptions().find((o) => o.type === "deal.updated")?.sampleValues?.stage).toBe("Won");
  });
});

describe("knownFieldValues", () => {
  it("offers a deal's stages, and nothing for a field whose values are not known", () => {
    expect(knownFieldValues(["deal"], "stage")).toEqual(["Prospect", "Qualification", "Negotiation", "Won", "Lost"]);
    expect(knownFieldValues(["deal"], " stage ")).toContain("Won");
    expect(knownFieldValues(["deal"], "amount")).toEqual([]);
    expect(knownFieldValues(["widget"], "stage")).toEqual([]);
    expect(knownFieldValues(["deal"], "constructor")).toEqual([]);
  });

  it("merges the values of every chosen entity without repeats", () => {
    expect(knownFieldValues(["deal", "lead"], "stage")).toEqual([
      "Prospect",
      "Qualification",
      "Negotiation",
      "Won",
      "Lost",
      "Qualified",
      "Customer",
    ]);
  });

  it("lists every value the built-in samples use for those fields", () => {
    for (const e of EVENT_TYPES) {
      const known = Object.hasOwn(KNOWN_FIELD_VALUES, e.entity) ? KNOWN_FIELD_VALUES[e.entity] : {};
      for (const [field, values] of Object.entries(known)) {
        for (const record of [e.sample.data, e.sample.previous ?? {}]) {
          if (field in record) expect(values, `${e.type} ${field}`).toContain(record[field]);
        }
      }
    }
  });
});
