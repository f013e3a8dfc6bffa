import type { Metadata } from "next";
import { AccountSettings } from "@/components/settings/account-settings";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: "Your account" };

/** Every member's own account: their password and their sessions. */
export default async function AccountSettingsPage() {
  const actor = await requireActor();
  return (
    <section aria-labelledby="account-heading" className="max-w-3xl space-y-4">
      <div className="space-y-1">
        <h2 id="account-heading" className="text-lg font-semibold">
          Your account
        </h2>
        <p className="text-muted-foreground text-sm">
          Signed in as {actor.name} ({actor.email}).
        </p>
      </div>
      <AccountSettings />
    </section>
  );
}
