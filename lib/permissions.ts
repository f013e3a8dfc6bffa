/**
 * The permission catalogue: dotted strings stored on roles, checked on every action and route.
 * Owners edit which roles hold which permission on the role × permission matrix.
 * See README "Permissions".
 */
export const PERMISSIONS = [
  {
    key: "webhooks.view",
    label: "View Webhooks",
    description: "See webhooks, their history, events and the dashboard.",
  },
  {
    key: "webhooks.manage",
    label: "Manage Webhooks",
    description:
      "Create, edit, duplicate, test, switch on/off and delete webhooks and OAuth credentials; resend deliveries.",
  },
  { key: "members.manage", label: "Manage Members", description: "Invite people, change their role and remove them." },
  { key: "roles.manage", label: "Manage Roles", description: "Create roles and decide which permissions they hold." },
  { key: "apiKeys.manage", label: "Manage API Keys", description: "Create and revoke the company's API keys." },
  {
    key: "company.manage",
    label: "Manage Company",
    description: "Change company settings, limits and read the email outbox.",
  },
] as const;

export type Permission = (typeof PERMISSIONS)[number]["key"];

export const ALL_PERMISSIONS: Permission[] = PERMISSIONS.map((p) => p.key);

export function isPermission(value: string): value is Permission {
  return (ALL_PERMISSIONS as string[]).includes(value);
}

/** A permission that, when held, also grants others (managing webhooks implies seeing them). */
const IMPLIES: Partial<Record<Permission, Permission[]>> = {
  "webhooks.manage": ["webhooks.view"],
};

/**
 * The permission, among those a role holds, that already includes `permission` (Manage Webhooks for
 * View Webhooks), or null. The matrix shows such a permission ticked and locked, naming the reason.
 */
export function includedBy(held: readonly string[], permission: Permission): Permission | null {
  for (const h of held) if (isPermission(h) && IMPLIES[h]?.includes(permission)) return h;
  return null;
}

export interface RoleLike {
  isOwner: boolean;
  permissions: string[];
}

/** The single answer to "may this role do that?". The Owner role always holds everything. */
export function roleHasPermission(role: RoleLike, permission: Permission): boolean {
  if (role.isOwner) return true;
  return role.permissions.includes(permission) || includedBy(role.permissions, permission) !== null;
}

export function permissionLabel(permission: string): string {
  return PERMISSIONS.find((p) => p.key === permission)?.label ?? permission;
}

/** Roles every new company starts with. */
export const DEFAULT_ROLES: { name: string; isOwner: boolean; permissions: Permission[] }[] = [
  { name: "Owner", isOwner: true, permissions: ALL_PERMISSIONS },
  {
    name: "Admin",
    isOwner: false,
    permissions: ["webhooks.manage", "webhooks.view", "members.manage", "apiKeys.manage"],
  },
  { name: "Member", isOwner: false, permissions: [] },
];
