import type { Metadata } from "next";
import type { ReactNode } from "react";
import { PageHeader } from "@/components/app/page-header";
import { SettingsNav } from "@/components/settings/settings-nav";

export const metadata: Metadata = { title: { default: "Settings", template: "%s · Settings · Hookrelay" } };

/** Every settings page checks its own access; the navigation lists all sections. */
export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="space-y-6">
      <div>
        <PageHeader title="Settings" description="Your company's members, roles, API keys and outgoing email." />
        <SettingsNav />
      </div>
      {children}
    </div>
  );
}
