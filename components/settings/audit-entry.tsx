import { AUDIT_ACTION_LABELS, type AuditEntry, type AuditTargetGroup } from "@/lib/audit";
import { permissionLabel } from "@/lib/permissions";
import { plural } from "@/lib/format";

/** A label for an action this page does not know yet: "webhook.auto_disabled" → "Webhook auto disabled". */
export function auditActionLabel(action: string): string {
  const known = (AUDIT_ACTION_LABELS as Record<string, string>)[action];
  if (known) return known;
  const words = action.replace(/[._]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : action;
}

export const AUDIT_GROUP_LABELS: Record<AuditTargetGroup, string> = {
  webhooks: "Webhooks",
  oauth: "OAuth credentials",
  roles: "Roles",
  apiKeys: "API keys",
  members: "Members",
  company: "Company",
};

const WEBHOOK_FIELD_LABELS: Record<string, string> = {
  name: "name",
  description: "description",
  active: "active",
  eventType: "trigger event",
  eventTypes: "trigger events",
  triggerMode: "trigger mode",
  method: "method",
  url: "URL",
  delaySeconds: "delay (s)",
  timeoutSeconds: "timeout (s)",
  batchWindowSeconds: "batch window (s)",
  maxConcurrency: "maximum concurrency",
  notifyOnFailure: "notify on failure",
  includeEntityParams: "entity parameters",
  eventNaming: "event type names",
};

const SECTION_LABELS: Record<string, string> = {
  conditions: "conditions",
  headers: "headers",
  auth: "authentication",
  body: "body",
  retryPolicy: "retry policy",
};

const OAUTH_FIELD_LABELS: Record<string, string> = {
  name: "name",
  tokenUrl: "token URL",
  method: "method",
  parameters: "parameters",
};

const COMPANY_FIELD_LABELS: Record<string, string> = {
  name: "name",
  retentionDays: "history kept (days)",
  autoDisableAfterHours: "auto-disable after (hours)",
  dailyCallLimit: "daily call limit",
  notificationDomains: "notification domains",
};

const MAX_VALUE = 80;

function shown(value: unknown): string {
  if (value === true) return "on";
  if (value === false) return "off";
  if (value === null || value === undefined || value === "") return "(empty)";
  const s =
    typeof value === "string" ? `“${value}”` : typeof value === "number" ? String(value) : JSON.stringify(value);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function webhookChanges(changes: unknown): string[] {
  if (!isRecord(changes)) return [];
  const lines: string[] = [];
  for (const [field, change] of Object.entries(changes)) {
    if (field === "sections" || field === "secretChanged" || !isRecord(change)) continue;
    lines.push(`${WEBHOOK_FIELD_LABELS[field] ?? field}: ${shown(change.from)} → ${shown(change.to)}`);
  }
  // The auth secret's change is said on its own; "authentication" is listed only for other auth changes.
  const sections = strings(changes.sections).filter((s) => !(s === "auth" && changes.secretChanged === true));
  if (sections.length) lines.push(`Changed ${sections.map((s) => SECTION_LABELS[s] ?? s).join(", ")}`);
  if (changes.secretChanged === true) lines.push("auth secret changed");
  if (!lines.length) lines.push("No changes");
  return lines;
}

/** "history kept (days): 30 → 7"; a blank daily call limit reads "unlimited". */
function companyChanges(changes: unknown): string[] {
  if (!isRecord(changes)) return [];
  const value = (field: string, v: unknown) => (field === "dailyCallLimit" && v === null ? "unlimited" : shown(v));
  return Object.entries(changes).flatMap(([field, c]) =>
    isRecord(c) ? [`${COMPANY_FIELD_LABELS[field] ?? field}: ${value(field, c.from)} → ${value(field, c.to)}`] : [],
  );
}

const EVENT_TYPE_OUTCOMES: Record<string, string> = {
  "event_type.deprecated": "New webhooks no longer offer it; its events are still accepted",
  "event_type.restored": "Offered to new webhooks again",
  "event_type.deleted": "Its events are refused from now on",
};

/** A company event type's entry: the type's name is the target; its module and what the change means. */
function eventTypeLines(action: string, d: Record<string, unknown>): string[] {
  return [typeof d.module === "string" ? `Module ${d.module}` : null, EVENT_TYPE_OUTCOMES[action] ?? null].filter(
    (l): l is string => l !== null,
  );
}

/**
 * The entry's details as short lines of text, never raw JSON for the known actions. Secrets are
 * never in the details to begin with (the actions record names and "changed" flags only).
 */
export function auditDetailLines(entry: Pick<AuditEntry, "action" | "details" | "sourceName">): string[] {
  const d = entry.details;
  switch (entry.action) {
    case "webhook.created":
      return [
        typeof d.eventType === "string" ? `Trigger ${d.eventType}` : null,
        Array.isArray(d.eventTypes) ? `Trigger ${d.eventTypes.join(", ")}` : null,
        typeof d.url === "string" ? d.url : null,
        typeof d.active === "boolean" ? (d.active ? "Switched on" : "Switched off") : null,
      ].filter((l): l is string => l !== null);
    case "webhook.updated":
      return webhookChanges(d.changes);
    case "company.updated":
      return companyChanges(d.changes);
    case "email.resent":
      return [
        typeof d.subject === "string" ? `“${d.subject}”` : null,
        typeof d.to === "string" ? `To ${d.to}` : null,
        typeof d.previousStatus === "string" ? `Was ${d.previousStatus}; queued again` : null,
      ].filter((l): l is string => l !== null);
    case "webhook.tested":
      return [
        typeof d.host === "string" ? `Sent to ${d.host}` : null,
        typeof d.status === "number"
          ? `Answered ${d.status}`
          : typeof d.error === "string"
            ? `No answer (${d.error.replace(/_/g, " ")})`
            : null,
        d.savedSecretsUsed === true ? "With the saved secrets" : null,
      ].filter((l): l is string => l !== null);
    case "webhook.deleted":
      return typeof d.url === "string" ? [d.url] : [];
    case "webhook.duplicated":
      return [
        entry.sourceName ? `Copy of ${entry.sourceName}` : "Copy of a webhook since deleted",
        "Starts switched off",
      ];
    case "webhook.activated":
      return typeof d.clearedReason === "string" ? [`Cleared: ${d.clearedReason}`] : [];
    case "webhook.secret_rotated":
      return typeof d.overlapHours === "number"
        ? [
            d.overlapHours > 0
              ? `Previous secret still signs for ${plural(d.overlapHours, "hour")}`
              : "Previous secret stopped at once",
          ]
        : [];
    case "delivery.resent":
      return [typeof d.previousStatus === "string" ? `Was ${d.previousStatus}; queued again` : "Queued again"];
    case "deliveries.retry_all":
      return [
        `${strings(d.statuses).join(" and ") || "failed"} deliveries${typeof d.period === "string" ? (d.period === "all" ? ", all time" : `, last ${d.period}`) : ""}`,
      ];
    case "oauth_credential.created":
      return [
        typeof d.tokenUrl === "string" ? d.tokenUrl : null,
        strings(d.parameters).length ? `Parameters: ${strings(d.parameters).join(", ")}` : null,
      ].filter((l): l is string => l !== null);
    case "oauth_credential.updated": {
      const changed = strings(d.changed);
      return [changed.length ? `Changed ${changed.map((c) => OAUTH_FIELD_LABELS[c] ?? c).join(", ")}` : "No changes"];
    }
    case "role.permission_granted":
    case "role.permission_revoked": {
      const permission = typeof d.permission === "string" ? permissionLabel(d.permission) : "a permission";
      return [entry.action === "role.permission_granted" ? `Granted ${permission}` : `Revoked ${permission}`];
    }
    case "member.removed":
      return []; // details hold only the user's id; the member's name is the target
    case "member.role_changed":
      return typeof d.role === "string" ? [`New role: ${d.role}`] : [];
    case "invitation.created":
      return typeof d.role === "string" ? [`As ${d.role}`] : [];
    case "event_type.created":
    case "event_type.updated":
    case "event_type.deprecated":
    case "event_type.restored":
    case "event_type.deleted":
      return eventTypeLines(entry.action, d);
    case "api_key.created":
      return typeof d.prefix === "string" ? [`Key ${d.prefix}…`] : [];
    default:
      return Object.entries(d)
        .filter(([key]) => key !== "name")
        .map(([key, value]) => `${key}: ${shown(value)}`);
  }
}

/** The details as a list, or a dash when there is nothing to add. */
export function AuditDetails({ entry }: { entry: Pick<AuditEntry, "action" | "details" | "sourceName"> }) {
  const lines = auditDetailLines(entry);
  if (!lines.length) return <span className="text-muted-foreground">—</span>;
  return (
    <ul className="space-y-0.5">
      {lines.map((line, i) => (
        <li key={i} className="break-words">
          {line}
        </li>
      ))}
    </ul>
  );
}
