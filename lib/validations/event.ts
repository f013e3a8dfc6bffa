import { z } from "zod";
import { findUnstorable } from "./storable";

/** Keys that could pollute prototypes downstream are refused anywhere in an event. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function findForbiddenKey(value: unknown, depth = 0): string | null {
  if (depth > 32) return "(nesting deeper than 32 levels)";
  if (value === null || typeof value !== "object") return null;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], depth + 1);
    if (found) return found;
  }
  return null;
}

/** An event type name: letters, digits and `_` in dotted parts (`ticket.escalated`), ≤ 100 characters. */
export const EVENT_TYPE_NAME = /^(?=.{1,100}$)[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

const record = z.record(z.string(), z.unknown());

/** The times PostgreSQL's timestamptz can take from a JS Date (its ISO text has a 4-digit year 1 … 9999). */
const EARLIEST_TIME = Date.parse("0001-01-01T00:00:00.000Z");
const LATEST_TIME = Date.parse("9999-12-31T23:59:59.999Z");

export const eventInputSchema = z
  .object({
    id: z.string().trim().min(1, "id cannot be empty").max(200, "id is longer than 200 characters").optional(),
    // Known to the company? Checked against the catalog and its own types after parsing (checkEventTypes).
    type: z
      .string({ error: 'type is required, e.g. "deal.updated"' })
      .regex(EVENT_TYPE_NAME, "Unknown event type: GET /api/v1/event-types lists the catalog's and your company's own"),
    occurredAt: z.iso
      .datetime({ offset: true, error: "occurredAt must be an ISO 8601 time, e.g. 2026-11-23T10:00:00Z" })
      .refine((v) => {
        const t = Date.parse(v);
        return t >= EARLIEST_TIME && t <= LATEST_TIME;
      }, "occurredAt must lie between the years 1 and 9999 (in UTC)")
      .optional(),
    data: record.refine((d) => typeof d.id === "string" || typeof d.id === "number", {
      message: "data.id is required (the record's id)",
      path: ["id"],
    }),
    previous: record.nullable().optional(),
    owner: z
      .object({ email: z.email("owner.email must be an email address").optional() })
      .nullable()
      .optional(),
  })
  .superRefine((event, ctx) => {
    const bad = findForbiddenKey(event.data) ?? findForbiddenKey(event.previous);
    if (bad) ctx.addIssue({ code: "custom", path: ["data"], message: `data holds a forbidden key: ${bad}` });
    // NUL, unpaired surrogates and infinite numbers cannot be stored (a 500 from the database otherwise).
    const unstorable = bad ? null : findUnstorable(event);
    if (unstorable)
      ctx.addIssue({
        code: "custom",
        path: unstorable.path ? unstorable.path.split(".") : [],
        message: unstorable.message,
      });
  });
export type EventInput = z.output<typeof eventInputSchema>;

export const MAX_EVENTS_PER_REQUEST = 100;
export const MAX_EVENTS_BODY_BYTES = 1024 * 1024;
