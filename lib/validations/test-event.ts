import { z } from "zod";
import { EVENT_TYPE_NAME } from "./event";

/** The most JSON a test event's textareas may hold (the API takes at most 1 MiB for a whole request). */
export const MAX_TEST_EVENT_JSON = 256 * 1024;

/** JSON text that must hold an object ({…}); blank is null when `optional`. */
function jsonObjectText(what: string, optional: boolean) {
  return z
    .string({ error: `${what} is required` })
    .max(MAX_TEST_EVENT_JSON, `${what} is longer than ${MAX_TEST_EVENT_JSON / 1024} KiB`)
    .transform((text, ctx): Record<string, unknown> | null => {
      if (!text.trim()) {
        if (optional) return null;
        ctx.addIssue({ code: "custom", message: `${what} is required: a JSON object such as {"id": "d_1"}` });
        return z.NEVER;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          message: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
        });
        return z.NEVER;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        ctx.addIssue({
          code: "custom",
          message: `${what} must be a JSON object ({…}), not ${Array.isArray(value) ? "an array" : value === null ? "null" : `a ${typeof value}`}`,
        });
        return z.NEVER;
      }
      return value as Record<string, unknown>;
    });
}

/**
 * "Send a test event" on the Events page: a type of the catalog and the record as JSON text (the
 * sample, edited), with the old values of changed fields for the changed / changed to / changed
 * from conditions. The same schema checks the dialog's form and the server action.
 */
export const testEventSchema = z.object({
  type: z.string({ error: "Choose an event type" }).regex(EVENT_TYPE_NAME, "Choose an event type of the catalog"),
  data: jsonObjectText("The record", false),
  previous: jsonObjectText("Previous values", true).optional(),
});
export type TestEventInput = z.input<typeof testEventSchema>;
