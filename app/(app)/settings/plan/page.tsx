import type { Metadata } from "next";
import { getDb } from "@/db";
import { PlanUsageView } from "@/components/settings/plan-usage";
import { usageOf } from "@/lib/plans";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: "Plan & usage" };

/** Every member: the company's plan and today's use of it. Read-only: no action changes a plan. */
export default async function PlanUsagePage() {
  const actor = await requireActor();
  const usage = await usageOf(getDb(), actor.companyId);
  return (
    <section aria-labelledby="plan-heading" className="max-w-3xl space-y-4">
      <div className="space-y-1">
        <h2 id="plan-heading" className="text-lg font-semibold">
          Plan &amp; usage
        </h2>
        <p className="text-muted-foreground text-sm">
          What {actor.companyName}&apos;s plan includes, and what it has used today.
        </p>
      </div>
      <PlanUsageView usage={usage} />
    </section>
  );
}
