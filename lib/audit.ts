/**
 * The audit log's filter groups and the shape of an entry: shared by db/queries/audit.ts (which
 * reads the log), the audit log page and components/settings/audit-entry.tsx. Imports nothing.
 */

/**
 * The audit log's filter groups: what a person picks ("Members") → the `target_type`s written by
 * `recordAudit` for it. Every target type used in lib/actions belongs to exactly one group.
 */
export const AUDIT_TARGET_GROUPS = {
  /** A resent delivery is part of its webhook's history. */
  webhooks: ["webhook", "delivery"],
  oauth: ["oauth_credential"],
  roles: ["role"],
  apiKeys: ["api_key"],
  members: ["membership", "invitation"],
  company: ["company"],
} as const satisfies Record<string, readonly string[]>;
export type AuditTargetGroup = keyof typeof AUDIT_TARGET_GROUPS;

export function isAuditTargetGroup(value: unknown): value is AuditTargetGroup {
  return typeof value === "string" && Object.hasOwn(AUDIT_TARGET_GROUPS, value);
}

export interface AuditEntry {
  id: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
  /** null: no user (the system, or a user since deleted). */
  actor: { name: string; email: string } | null;
  /** What the entry is about, in words (a webhook's name, an invitee's email …), or null. */
  targetName: string | null;
  /** For webhook.duplicated: the name of the webhook it was copied from, while that exists. */
  sourceName: string | null;
}
