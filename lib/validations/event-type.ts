import { z } from "zod";
import { isKnownEventType } from "@/lib/events/catalog";
import { schemaProblem, schemaViolation, sampleFromSchema, type EventSchema } from "@/lib/events/json-schema";
import { EVENT_TYPE_NAME } from "./event";
import { findUnstorable } from "./storable";
import { singleLine } from "./text";

const MAX_SAMPLE_BYTES = 64 * 1024;

/**
 * A JSON object given as an object (the API) or as JSON text (the page's textareas); blank or absent is
 * null. `what` names it in errors.
 */
function jsonObject(what: string) {
  return z
    .union([
      z.string().max(MAX_SAMPLE_BYTES, `${what} is longer than ${MAX_SAMPLE_BYTES / 1024} KiB`),
      z.record(z.string(), z.unknown()),
      z.null(),
    ])
    .optional()
    .transform((value, ctx): Record<string, unknown> | null => {
      if (value === undefined || value === null) return null;
      let parsed: unknown = value;
      if (typeof value === "string") {
        if (!value.trim()) return null;
        try {
          parsed = JSON.parse(value);
        } catch (err) {
          ctx.addIssue({
            code: "custom",
            message: `${what}: not valid JSON (${err instanceof Error ? err.message : err})`,
          });
          return z.NEVER;
        }
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        ctx.addIssue({ code: "custom", message: `${what} must be a JSON object ({…})` });
        return z.NEVER;
      }
      if (JSON.stringify(parsed).length > MAX_SAMPLE_BYTES) {
        ctx.addIssue({ code: "custom", message: `${what} is larger than ${MAX_SAMPLE_BYTES / 1024} KiB` });
        return z.NEVER;
      }
      const unstorable = findUnstorable(parsed);
      if (unstorable) {
        ctx.addIssue({ code: "custom", message: `${what}: ${unstorable.message}` });
        return z.NEVER;
      }
      return parsed as Record<string, unknown>;
    });
}

const details = {
  label: singleLine(z.string({ error: "Label is required" }).trim().min(1, "Label is required").max(120), "Label"),
  description: z.string().trim().max(1000, "At most 1,000 characters").default(""),
  module: singleLine(
    z.string({ error: "Module is required" }).trim().min(1, "Module is required (e.g. ticket, invoice)").max(60),
    "Module",
  ),
  /** A JSON Schema (the subset lib/events/json-schema.ts supports) that each event's data must meet. */
  schema: jsonObject("Schema"),
  /** The sample record (`data`) Test, previews and the form's field pickers use; built from the schema when absent. */
  sample: jsonObject("Sample record"),
  /** Old values of the sample's changed fields, for the changed / changed to / changed from conditions. */
  samplePrevious: jsonObject("Previous values"),
};

/** The schema and the sample agree, and there is something to sample: the checks zod's fields cannot make alone. */
function checkSchemaAndSample(
  value: { schema: Record<string, unknown> | null; sample: Record<string, unknown> | null },
  ctx: z.RefinementCtx,
) {
  if (value.schema) {
    const problem = schemaProblem(value.schema);
    if (problem) {
      ctx.addIssue({ code: "custom", path: ["schema"], message: problem });
      return;
    }
  }
  const sample = value.sample ?? (value.schema ? sampleFromSchema(value.schema as EventSchema) : null);
  if (!sample) {
    ctx.addIssue({ code: "custom", path: ["sample"], message: "Give a sample record or a JSON Schema" });
    return;
  }
  if (value.sample && typeof value.sample.id !== "string" && typeof value.sample.id !== "number")
    ctx.addIssue({
      code: "custom",
      path: ["sample"],
      message: 'The sample record needs an "id" (a string or a number)',
    });
  else if (value.schema && value.sample) {
    const violation = schemaViolation(value.schema as EventSchema, value.sample);
    if (violation)
      ctx.addIssue({ code: "custom", path: ["sample"], message: `The sample does not meet the schema: ${violation}` });
  }
}

const eventTypeFields = z.object({
  type: z
    .string({ error: "Type is required" })
    .trim()
    .regex(EVENT_TYPE_NAME, "Use letters, digits and _ in dotted parts, e.g. ticket.escalated (at most 100 characters)")
    .refine((t) => !isKnownEventType(t), "This type is in the built-in catalog already"),
  ...details,
});
export const eventTypeSchema = eventTypeFields.superRefine(checkSchemaAndSample);
/** The API's PUT body: what a type's name keeps (the name is in the path). */
export const eventTypeDetailsSchema = z.object(details);
export type EventTypeInput = z.input<typeof eventTypeSchema>;

export const updateEventTypeSchema = z
  .object({ type: z.string({ error: "Choose an event type" }).min(1).max(100), ...details })
  .superRefine(checkSchemaAndSample);

export const eventTypeNameSchema = z.object({ type: z.string({ error: "Choose an event type" }).min(1).max(100) });
export const deprecateEventTypeSchema = eventTypeNameSchema.extend({
  deprecated: z.boolean({ error: "deprecated must be true or false" }),
});

/** The stored sample of a type: the given record (with its previous values), or one built from the schema. */
export function sampleOf(input: {
  schema: Record<string, unknown> | null;
  sample: Record<string, unknown> | null;
  samplePrevious: Record<string, unknown> | null;
}): { data: Record<string, unknown>; previous?: Record<string, unknown> } {
  const data = input.sample ?? { id: "sample_1", ...(sampleFromSchema(input.schema as EventSchema) as object) };
  return { data, ...(input.samplePrevious ? { previous: input.samplePrevious } : {}) };
}
