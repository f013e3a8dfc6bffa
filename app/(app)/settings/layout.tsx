import type { Metadata } from "next";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/app/page-header";
import { SettingsNav } from "@/components/settings/settings-nav";
import { requireActor } from "@/lib/session";
import { visibleSettingsSections } from "@/lib/settings-sections";

export const metadata: Metadata = { title: { default: "Settings", template: "%s · Settings · Hookrelay" } };

/** Every settings page checks its own access; the navigation lists the sections the role may open. */
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  return (
    <div className="space-y-6">
      <div>
        <PageHeader title="Settings" description="Your company's members, roles, API keys and outgoing email." />
        <SettingsNav sections={visibleSettingsSections(actor)} />
      </div>
      {children}
    </div>
  );
}
