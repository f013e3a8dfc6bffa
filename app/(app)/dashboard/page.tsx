import type { Metadata } from "next";
import { getDb } from "@/db";
import {
  dashboardWindow,
  deliveriesByHour,
  deliveryLatency,
  gettingStartedState,
  hasDeliveryActivity,
  isDashboardPeriod,
  topFailingWebhooks,
  totalsOf,
} from "@/db/queries/dashboard";
import { PageHeader } from "@/components/app/page-header";
import { DeliveryOverview, type DeliveryOverviewData } from "@/components/dashboard/delivery-overview";
import { GettingStarted } from "@/components/dashboard/getting-started";
import { can } from "@/lib/authz";
import { gettingStartedSteps } from "@/lib/dashboard";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: "Dashboard" };

/**
 * With View Webhooks and something to show (a webhook or an event): delivery volume by status,
 * success rate, latency and the webhooks failing most, for 24 hours or 7 days. The getting-started
 * checklist (the steps the viewer can act on, ticked from the company's data) stays below until they are done, and
 * is all that others (or a new company) see.
 */
export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ period?: string }> }) {
  const actor = await requireActor();
  const db = getDb();
  const canView = can(actor, "webhooks.view");
  const { period: rawPeriod } = await searchParams;
  const period = isDashboardPeriod(rawPeriod) ? rawPeriod : "24h";
  const [gettingStarted, active] = await Promise.all([
    gettingStartedState(db, actor.companyId),
    canView ? hasDeliveryActivity(db, actor.companyId) : false,
  ]);

  const steps = gettingStartedSteps(gettingStarted, (p) => can(actor, p));

  let overview: DeliveryOverviewData | null = null;
  if (active) {
    const now = new Date();
    const window = dashboardWindow(period, now);
    const [buckets, latency, failing] = await Promise.all([
      deliveriesByHour(db, actor.companyId, window),
      deliveryLatency(db, actor.companyId, window.since),
      topFailingWebhooks(db, actor.companyId, window.since, 5),
    ]);
    overview = { period, buckets, totals: totalsOf(buckets), latency, failing, now: now.getTime() };
  }

  return (
    <>
      <PageHeader
        title={`Welcome, ${actor.name.split(" ")[0]}`}
        description={`You are working in ${actor.companyName} as ${actor.role.name}.`}
      />
      {overview ? <DeliveryOverview data={overview} /> : null}
      {!overview || steps.some((s) => !s.done) ? (
        <GettingStarted data={gettingStarted} steps={steps} className={overview ? "mt-10" : undefined} />
      ) : null}
    </>
  );
}
