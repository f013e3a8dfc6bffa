/**
 * The audit log's filter groups and the shape of an entry: shared by db/queries/audit.ts (which
 * reads the log), the audit log page and components/settings/audit-entry.tsx. Imports nothing.
 */

/**
 * Every action the audit log records, with its label: `recordAudit` takes only these (a typo is a
 * type error), and the audit log page shows the label.
 */
export const AUDIT_ACTION_LABELS = {
  "company.created": "Company created",
  "company.updated": "Company settings changed",
  "email.resent": "Email resent",
  "invitation.created": "Member invited",
  "invitation.revoked": "Invitation revoked",
  "invitation.accepted": "Invitation accepted",
  "member.role_changed": "Member's role changed",
  "member.removed": "Member removed",
  "account.password_changed": "Password changed",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "role.created": "Role created",
  "role.deleted": "Role deleted",
  "role.permission_granted": "Role permission changed",
  "role.permission_revoked": "Role permission changed",
  "webhook.created": "Webhook created",
  "webhook.updated": "Webhook updated",
  "webhook.tested": "Webhook tested",
  "webhook.deleted": "Webhook deleted",
  "webhook.duplicated": "Webhook duplicated",
  "webhook.activated": "Webhook switched on",
  "webhook.deactivated": "Webhook switched off",
  "webhook.secret_rotated": "Signing secret rotated",
  "delivery.resent": "Delivery resent",
  "deliveries.retry_all": "Failed deliveries retried",
  "deliveries.recover": "Missed events recovered",
  "oauth_credential.created": "OAuth credential created",
  "oauth_credential.updated": "OAuth credential updated",
  "oauth_credential.deleted": "OAuth credential deleted",
  "event_type.created": "Event type added",
  "event_type.updated": "Event type changed",
  "event_type.deprecated": "Event type deprecated",
  "event_type.restored": "Event type restored",
  "event_type.deleted": "Event type deleted",
  "oauth_credential.connected": "OAuth credential connected",
  "oauth_credential.reconnected": "OAuth credential reconnected",
  "oauth_credential.connect_failed": "OAuth credential connection failed",
  "oauth_credential.reconnect_needed": "OAuth credential needs reconnecting",
} as const;
export type AuditAction = keyof typeof AUDIT_ACTION_LABELS;

/**
 * The audit log's filter groups: what a person picks ("Members") → the `target_type`s written by
 * `recordAudit` for it. Every target type used in lib/actions belongs to exactly one group.
 */
export const AUDIT_TARGET_GROUPS = {
  /** A resent delivery is part of its webhook's history. */
  webhooks: ["webhook", "delivery", "event_type"],
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
