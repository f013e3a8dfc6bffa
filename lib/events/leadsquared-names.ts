/**
 * LeadSquared's names for event types. A webhook whose `eventNaming` is "leadsquared" sends the
 * event's type as LeadSquared does — `Module_Post_Action` in PascalCase, e.g.
 * `Opportunity_Post_Update` — instead of the catalog's dotted type (`deal.updated`): in the
 * `eventType` query parameter, the body's `type`, a picked `event.type` and `{{event.type}}`.
 *
 * The catalog's types have an explicit entry below (where LeadSquared's words differ from ours: a
 * deal is an Opportunity, a lead's new owner an OwnershipChange, a form a landing page). Any other
 * dotted type is derived: each part in PascalCase, the last part the action with a known past tense
 * made present (`created` → `Create`, `owner_changed` → `OwnerChange`), the rest the module
 * (`sales_activity.updated` → `SalesActivity_Post_Update`). The middle word is always `Post`:
 * LeadSquared's page reads it as the request type, and what it posts is a POST.
 */

export const EVENT_NAMINGS = ["hookrelay", "leadsquared"] as const;
export type EventNaming = (typeof EVENT_NAMINGS)[number];

/** The catalog's types, by hand: LeadSquared's own words where they differ from the derived ones. */
const TABLE: Record<string, string> = {
  "contact.created": "Contact_Post_Create",
  "contact.updated": "Contact_Post_Update",
  "contact.deleted": "Contact_Post_Delete",
  "lead.created": "Lead_Post_Create",
  "lead.updated": "Lead_Post_Update",
  "lead.deleted": "Lead_Post_Delete",
  "lead.merged": "Lead_Post_Merge",
  "lead.owner_changed": "Lead_Post_OwnershipChange",
  "lead.stage_changed": "Lead_Post_StageChange",
  "lead.score_changed": "Lead_Post_ScoreChange",
  "lead.field_changed": "Lead_Post_FieldValueChange",
  "account.created": "Account_Post_Create",
  "account.updated": "Account_Post_Update",
  "account.deleted": "Account_Post_Delete",
  "deal.created": "Opportunity_Post_Create",
  "deal.updated": "Opportunity_Post_Update",
  "deal.deleted": "Opportunity_Post_Delete",
  "deal.stage_changed": "Opportunity_Post_StageChange",
  "task.created": "Task_Post_Create",
  "task.updated": "Task_Post_Update",
  "task.completed": "Task_Post_Complete",
  "task.cancelled": "Task_Post_Cancel",
  "task.reminder": "Task_Post_Reminder",
  "product.created": "Product_Post_Create",
  "product.updated": "Product_Post_Update",
  "product.deleted": "Product_Post_Delete",
  "user.created": "User_Post_Create",
  "user.updated": "User_Post_Update",
  "user.activated": "User_Post_Activate",
  "user.deactivated": "User_Post_Deactivate",
  "activity.created": "Activity_Post_Create",
  "activity.updated": "Activity_Post_Update",
  "form.submitted": "LandingPage_Post_Submission",
};

/**
 * Past tenses an event's action is named with, and their present (LeadSquared names the action:
 * `Create`, `Update`, `Cancel`). A word not listed is kept as it is (`reminder` → `Reminder`).
 */
const PRESENT: Record<string, string> = Object.fromEntries(
  (
    "added:add activated:activate approved:approve archived:archive assigned:assign booked:book cancelled:cancel " +
    "canceled:cancel changed:change clicked:click closed:close completed:complete converted:convert created:create " +
    "deactivated:deactivate deleted:delete disqualified:disqualify exported:export failed:fail finished:finish " +
    "imported:import lost:lose merged:merge moved:move opened:open paid:pay qualified:qualify reassigned:reassign " +
    "rejected:reject removed:remove renamed:rename rescheduled:reschedule restored:restore scheduled:schedule " +
    "scored:score sent:send signed:sign started:start submitted:submit updated:update viewed:view won:win"
  )
    .split(" ")
    .map((pair) => pair.split(":")),
);

function present(word: string): string {
  return Object.hasOwn(PRESENT, word) ? PRESENT[word] : word;
}

function pascal(words: string[]): string {
  return words
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/** Words of a type's part: `owner_changed`, `ownerChanged` and `owner-changed` all give ["owner", "changed"]. */
function words(part: string): string[] {
  return part
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The derivation rule alone (exported for its test): `module.action` → `Module_Post_Action`. */
export function deriveLeadSquaredName(type: string): string {
  const parts = type.split(".").filter((p) => words(p).length > 0);
  if (parts.length === 0) return "Event_Post";
  if (parts.length === 1) return `${pascal(words(parts[0]))}_Post`;
  const action = parts[parts.length - 1];
  const moduleWords = parts.slice(0, -1).flatMap(words);
  return `${pascal(moduleWords)}_Post_${pascal(words(action).map(present))}`;
}

/** LeadSquared's name for an event type: the table's, else derived. */
export function leadSquaredEventName(type: string): string {
  return Object.hasOwn(TABLE, type) ? TABLE[type] : deriveLeadSquaredName(type);
}

/** The event type as a webhook with this naming sends it. */
export function eventTypeAsSent(type: string, naming: EventNaming | undefined): string {
  return naming === "leadsquared" ? leadSquaredEventName(type) : type;
}

/** The catalog's types that have a hand-written name (for tests). */
export const LEADSQUARED_TABLE: Readonly<Record<string, string>> = TABLE;
