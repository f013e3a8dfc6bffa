import { can, type Actor } from "@/lib/authz";

/** The settings sections, in the navigation's order. */
export const SETTINGS_SECTIONS = [
  { href: "/settings/members", label: "Members" },
  { href: "/settings/roles", label: "Roles & permissions" },
  { href: "/settings/api-keys", label: "API keys" },
  { href: "/settings/company", label: "Company" },
  { href: "/settings/plan", label: "Plan & usage" },
  { href: "/settings/outbox", label: "Email outbox" },
  { href: "/settings/audit", label: "Audit log" },
  { href: "/settings/account", label: "Your account" },
] as const;

export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

/**
 * The sections a role may open (each page still checks its own access): API keys, Company and the email
 * outbox take their Manage permission; the audit log, Manage Webhooks or Manage Roles (owners hold all).
 */
export function visibleSettingsSections(actor: Actor): SettingsSection[] {
  const allowed: Partial<Record<SettingsSection["href"], boolean>> = {
    "/settings/api-keys": can(actor, "apiKeys.manage"),
    "/settings/company": can(actor, "company.manage"),
    "/settings/outbox": can(actor, "company.manage"),
    "/settings/audit": can(actor, "webhooks.manage") || can(actor, "roles.manage"),
  };
  return SETTINGS_SECTIONS.filter((s) => allowed[s.href] !== false);
}
