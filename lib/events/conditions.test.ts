import { describe, expect, it } from "vitest";
import { conditionsHold, evaluateCondition, readPath } from "./conditions";

const deal = {
  id: "d1",
  stage: "Won",
  amount: 48000,
  tags: ["vip", "eu"],
  owner: { email: "grace@example.com" },
  notes: "",
};

describe("conditions", () => {
  it("matches Freshsales' deal won: stage changed to Won", () => {
    const rule = { field: "stage", operator: "changed_to" as const, value: "Won" };
    expect(evaluateCondition(rule, deal, { stage: "Negotiation" })).toBe(true);
    expect(evaluateCondition(rule, deal, { stage: "Won" })).toBe(false); // unchanged
    expect(evaluateCondition(rule, deal, null)).toBe(false); // no previous: not a change
    expect(evaluateCondition(rule, { ...deal, stage: "Lost" }, { stage: "Negotiation" })).toBe(false);
  });

  it("supports changed and changed from", () => {
    expect(evaluateCondition({ field: "stage", operator: "changed", value: "" }, deal, { stage: "Negotiation" })).toBe(
      true,
    );
    expect(evaluateCondition({ field: "amount", operator: "changed", value: "" }, deal, { stage: "Negotiation" })).toBe(
      false,
    );
    expect(
      evaluateCondition({ field: "stage", operator: "changed_from", value: "negotiation" }, deal, {
        stage: "Negotiation",
      }),
    ).toBe(true);
  });

  it("compares text case-insensitively and numbers numerically", () => {
    expect(evaluateCondition({ field: "stage", operator: "equals", value: "won" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "amount", operator: "equals", value: "48000.0" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "amount", operator: "greater_than", value: "10000" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "amount", operator: "less_than", value: "10000" }, deal, null)).toBe(false);
    expect(evaluateCondition({ field: "stage", operator: "not_equals", value: "Lost" }, deal, null)).toBe(true);
  });

  it("handles in / not in / contains / empty on nested paths and arrays", () => {
    expect(evaluateCondition({ field: "stage", operator: "in", value: "Lost, Won" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "stage", operator: "not_in", value: "Lost,Open" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "owner.email", operator: "contains", value: "@example" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "tags", operator: "contains", value: "VIP" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "notes", operator: "is_empty", value: "" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "missing.deep", operator: "is_empty", value: "" }, deal, null)).toBe(true);
    expect(evaluateCondition({ field: "owner", operator: "is_not_empty", value: "" }, deal, null)).toBe(true);
  });

  it("combines rules with all / any, and no rules always match", () => {
    const rules = [
      { field: "stage", operator: "equals" as const, value: "Won" },
      { field: "amount", operator: "greater_than" as const, value: "100000" },
    ];
    expect(conditionsHold({ match: "all", rules }, deal)).toBe(false);
    expect(conditionsHold({ match: "any", rules }, deal)).toBe(true);
    expect(conditionsHold({ match: "all", rules: [] }, deal)).toBe(true);
  });

  it("never reads inherited properties", () => {
    expect(readPath({}, "constructor")).toBeUndefined();
    expect(readPath({ a: 1 }, "__proto__.toString")).toBeUndefined();
  });
});
