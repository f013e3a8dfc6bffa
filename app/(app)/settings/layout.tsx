import type { Metadata } from "next";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/app/page-header";
import { SETTINGS_LINKS, SettingsNav, type SettingsHref } from "@/components/settings/settings-nav";
import { can, type Actor } from "@/lib/authz";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: { default: "Settings", template: "%s · Settings · Hookrelay" } };

/**
 * The sections a role may open (each page still checks its own access): API keys, Company and the email
 * outbox take their Manage permission; the audit log, Manage Webhooks or Manage Roles (owners hold all).
 */
function visibleSections(actor: Actor): SettingsHref[] {
  const allowed: Partial<Record<SettingsHref, boolean>> = {
    "/settings/api-keys": can(actor, "apiKeys.manage"),
    "/settings/company": can(actor, "company.manage"),
    "/settings/outbox": can(actor, "company.manage"),
    "/settings/audit": can(actor, "webhooks.manage") || can(actor, "roles.manage"),
  };
  return SETTINGS_LINKS.map((l) => l.href).filter((href) => allowed[href] !== false);
}

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  return (
    <div className="space-y-6">
      <div>
        <PageHeader title="Settings" description="Your company's members, roles, API keys and outgoing email." />
        <SettingsNav visible={visibleSections(actor)} />
      </div>
      {children}
    </div>
  );
}
