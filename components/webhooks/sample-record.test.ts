import { describe, expect, it } from "vitest";
import { parseSampleRecord } from "./sample-record";

describe("parseSampleRecord", () => {
  it("reads a JSON object", () => {
    expect(parseSampleRecord('{"id": 7, "owner": {"email": "a@example.com"}}')).toEqual({
      ok: true,
      sample: { id: 7, owner: { email: "a@example.com" } },
    });
  });

  it("refuses text that is not JSON, and JSON that is not an object", () => {
    expect(parseSampleRecord('{"id": ')).toMatchObject({ ok: false, error: expect.stringMatching(/^Not valid JSON/) });
    for (const text of ["[1, 2]", "42", "null", '"x"'])
      expect(parseSampleRecord(text)).toEqual({
        ok: false,
        error: 'The record must be a JSON object, such as {"id": 1}',
      });
  });
});
