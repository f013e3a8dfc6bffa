import { z } from "zod";
import { singleLine } from "./text";

/**
 * The operator's plans (`npm run admin -- plans …`, `/api/operator/plans`): one schema for the CLI and the
 * operator API. A limit left out or null is unlimited.
 */
const limit = (label: string, min: number) => {
  const range = `${label} must be a whole number from ${min} to 1,000,000,000, or null for unlimited`;
  return z.number({ error: range }).int(range).min(min, range).max(1_000_000_000, range).nullable();
};

export const planSchema = z.object({
  name: singleLine(
    z
      .string({ error: "Plan name is required" })
      .trim()
      .min(1, "Plan name is required")
      .max(60, "Use at most 60 characters"),
    "Plan name",
  ),
  webhooksEnabled: z.boolean({ error: "webhooksEnabled must be true or false" }).default(true),
  callsPerDay: limit("callsPerDay", 1).default(null),
  callsPerUserPerDay: limit("callsPerUserPerDay", 1).default(null),
  maxWebhooks: limit("maxWebhooks", 0).default(null),
  /** The plan of every company that has none assigned (exactly one plan is the default). */
  isDefault: z.boolean({ error: "isDefault must be true or false" }).default(false),
});
export type PlanInput = z.output<typeof planSchema>;

/** A change to a plan: only the fields given. */
export const planPatchSchema = planSchema.partial().extend({
  // .partial() keeps the defaults; a patch must not reset what it does not name.
  webhooksEnabled: z.boolean({ error: "webhooksEnabled must be true or false" }).optional(),
  callsPerDay: limit("callsPerDay", 1).optional(),
  callsPerUserPerDay: limit("callsPerUserPerDay", 1).optional(),
  maxWebhooks: limit("maxWebhooks", 0).optional(),
  isDefault: z.boolean({ error: "isDefault must be true or false" }).optional(),
});
export type PlanPatch = z.output<typeof planPatchSchema>;

/** Assigning a plan: its id or name; null puts the company back on the default plan. */
export const assignPlanSchema = z.object({
  plan: z
    .string({ error: "plan must be a plan's id or name, or null for the default plan" })
    .trim()
    .min(1, "plan must be a plan's id or name, or null for the default plan")
    .nullable(),
});
