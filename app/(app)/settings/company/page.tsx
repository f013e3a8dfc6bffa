import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { Forbidden } from "@/components/app/forbidden";
import { CompanySettingsForm } from "@/components/settings/company-settings-form";
import { companyPlan } from "@/db/queries/plans";
import { getCompanySettings } from "@/lib/actions/company";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "Company" };

/** Manage Company (owners hold it): the company's name, data retention, auto-disable period and daily call limit. */
export default async function CompanySettingsPage() {
  const { actor, allowed } = await pageAccess("company.manage");
  if (!allowed) return <Forbidden permission="company.manage" area="company settings" />;

  const [settings, plan] = await Promise.all([
    getCompanySettings(getDb(), actor.companyId),
    companyPlan(getDb(), actor.companyId),
  ]);
  if (!settings) notFound();

  return (
    <section aria-labelledby="company-heading" className="max-w-3xl space-y-4">
      <div className="space-y-1">
        <h2 id="company-heading" className="text-lg font-semibold">
          Company
        </h2>
        <p className="text-muted-foreground text-sm">Settings that apply to every webhook of {actor.companyName}.</p>
      </div>
      {/* Keyed by company: switching company mounts a fresh form with that company's values. */}
      <CompanySettingsForm
        key={actor.companyId}
        defaults={{ companyId: actor.companyId, ...settings }}
        plan={{ name: plan.name, callsPerDay: plan.callsPerDay }}
      />
    </section>
  );
}
