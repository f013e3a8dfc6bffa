import { describe, expect, it } from "vitest";
import { sampleFromSchema, schemaProblem, schemaViolation, type EventSchema } from "./json-schema";

describe("event type schemas (the subset a company may give)", () => {
  it("checks types, required fields, ranges, enums, formats, arrays and nested objects, naming the path", () => {
    const schema: EventSchema = {
      type: "object",
      required: ["id", "amount"],
      additionalProperties: false,
      properties: {
        id: { type: ["string", "integer"] },
        amount: { type: "number", minimum: 0 },
        stage: { enum: ["Open", "Won", "Lost"] },
        email: { type: "string", format: "email" },
        due: { type: "string", format: "date" },
        lines: { type: "array", maxItems: 2, items: { type: "object", required: ["sku"] } },
      },
    };
    expect(schemaViolation(schema, { id: 7, amount: 3, stage: "Won", lines: [{ sku: "a" }] })).toBeNull();
    expect(schemaViolation(schema, { id: 7 })).toBe("data.amount is required");
    expect(schemaViolation(schema, { id: true, amount: 1 })).toBe("data.id must be a string or an integer");
    expect(schemaViolation(schema, { id: 1, amount: -1 })).toBe("data.amount must be at least 0");
    expect(schemaViolation(schema, { id: 1, amount: 1, stage: "Maybe" })).toMatch(/^data\.stage must be one of "Open"/);
    expect(schemaViolation(schema, { id: 1, amount: 1, email: "nope" })).toBe("data.email must be an email address");
    expect(schemaViolation(schema, { id: 1, amount: 1, due: "2026-13-45" })).toBe(
      "data.due must be a date (YYYY-MM-DD)",
    );
    expect(schemaViolation(schema, { id: 1, amount: 1, lines: [{ sku: 1 }, {}] })).toBe("data.lines.1.sku is required");
    expect(schemaViolation(schema, { id: 1, amount: 1, extra: 1 })).toBe(
      "data.extra is not a field of this event type",
    );
  });

  it("refuses what could make a check slow or unbounded, naming the keyword", () => {
    expect(schemaProblem({ type: "object", properties: { a: { type: "string", pattern: "^(a+)+$" } } })).toMatch(
      /properties\.a: "pattern" is not supported/,
    );
    expect(schemaProblem({ $ref: "https://evil.example/schema.json" })).toMatch(/"\$ref" is not supported/);
    let deep: Record<string, unknown> = { type: "object" };
    for (let i = 0; i < 40; i++) deep = { type: "object", properties: { x: deep } };
    expect(schemaProblem(deep)).toMatch(/nested deeper than 16 levels/);
    expect(schemaProblem({ type: "object", description: "x".repeat(70 * 1024) })).toMatch(/larger than 64 KiB/);
    expect(schemaProblem({ type: "array" })).toMatch(/"type" must be "object"/);
    expect(schemaProblem([])).toBe("The schema must be a JSON object");
  });

  it("walks a large record once: 100,000 array items against an item schema", () => {
    const schema: EventSchema = { type: "object", properties: { rows: { type: "array", items: { type: "integer" } } } };
    const rows = Array.from({ length: 100_000 }, (_, i) => i);
    expect(schemaViolation(schema, { rows })).toBeNull();
    rows[99_999] = 1.5 as number;
    expect(schemaViolation(schema, { rows })).toBe("data.rows.99999 must be an integer");
  });

  it("builds a sample record from a schema", () => {
    expect(
      sampleFromSchema({
        type: "object",
        properties: {
          id: { type: "string" },
          n: { type: "integer", minimum: 5 },
          at: { type: "string", format: "date-time" },
        },
      }),
    ).toEqual({ id: "example", n: 5, at: "2026-11-20T09:30:00Z" });
  });
});
