import Link from "next/link";
import type { ReactNode } from "react";
import { BarChart3Icon, CircleCheckIcon } from "lucide-react";
import {
  DASHBOARD_PERIODS,
  type DashboardPeriod,
  type DeliveryTotals,
  type FailingWebhook,
  type HourBucket,
  type Latency,
} from "@/lib/dashboard";
import { DeliveriesByHourChart, SuccessRateChart } from "./lazy-charts";
import { hourLabel } from "./hours";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatRelative, plural } from "@/lib/format";
import { cn } from "@/lib/utils";

export interface DeliveryOverviewData {
  period: DashboardPeriod;
  buckets: HourBucket[];
  totals: DeliveryTotals;
  latency: Latency;
  failing: FailingWebhook[];
  now: number;
}

const n = (value: number) => value.toLocaleString("en");
const percent = (rate: number) => `${(Math.round(rate * 1000) / 10).toLocaleString("en")}%`;

/** 24 hours / 7 days, kept in the URL (`?period=7d`). */
export function PeriodSelector({ period }: { period: DashboardPeriod }) {
  return (
    <nav aria-label="Period" className="bg-muted inline-flex rounded-lg p-1 text-sm">
      {(Object.keys(DASHBOARD_PERIODS) as DashboardPeriod[]).map((p) => (
        <Link
          key={p}
          href={p === "24h" ? "/dashboard" : `/dashboard?period=${p}`}
          aria-current={p === period ? "true" : undefined}
          className={cn(
            "rounded-md px-2.5 py-1",
            p === period ? "bg-background font-medium shadow-sm" : "text-muted-foreground hover:text-foreground",
          )}
        >
          {DASHBOARD_PERIODS[p].label.replace("Last ", "")}
        </Link>
      ))}
    </nav>
  );
}

function StatCard({ label, value, note, testId }: { label: string; value: string; note: ReactNode; testId: string }) {
  return (
    <Card className="gap-1 py-4">
      <CardHeader className="px-4">
        <CardTitle className="text-muted-foreground text-sm font-normal">{label}</CardTitle>
      </CardHeader>
      <CardContent className="px-4">
        <p className="text-2xl font-semibold tabular-nums" data-testid={testId}>
          {value}
        </p>
        <p className="text-muted-foreground mt-0.5 text-xs">{note}</p>
      </CardContent>
    </Card>
  );
}

/** A chart with its caption, and the same information in words and numbers under it. */
function ChartFigure({
  id,
  title,
  caption,
  chart,
  figures,
}: {
  id: string;
  title: string;
  caption: ReactNode;
  chart: ReactNode;
  figures: ReactNode;
}) {
  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle id={`${id}-title`}>{title}</CardTitle>
      </CardHeader>
      <CardContent>
        <figure aria-labelledby={`${id}-title`} aria-describedby={`${id}-caption`} className="space-y-3">
          {chart}
          <figcaption id={`${id}-caption`} className="text-muted-foreground text-sm">
            {caption}
          </figcaption>
          {figures}
        </figure>
      </CardContent>
    </Card>
  );
}

/** Every hour that had deliveries, as a table: the charts' data for screen readers and for reading exact numbers. */
function HourlyTable({ buckets, withSkipped }: { buckets: HourBucket[]; withSkipped: boolean }) {
  const busy = buckets.filter((b) => b.success + b.failed + b.pending + b.skipped > 0).reverse();
  return (
    <details className="text-sm">
      <summary className="text-muted-foreground hover:text-foreground cursor-pointer select-none">
        Hourly figures ({plural(busy.length, "hour")} with deliveries)
      </summary>
      <div className="mt-2 max-h-72 overflow-auto rounded-md border">
        <table className="w-full text-xs">
          <caption className="sr-only">Deliveries per hour by status, newest first</caption>
          <thead className="bg-muted/50 sticky top-0">
            <tr className="text-left">
              <th scope="col" className="px-2 py-1.5 font-medium">
                Hour (UTC)
              </th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">
                Succeeded
              </th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">
                Failed
              </th>
              <th scope="col" className="px-2 py-1.5 text-right font-medium">
                Pending
              </th>
              {withSkipped ? (
                <th scope="col" className="px-2 py-1.5 text-right font-medium">
                  Skipped
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {busy.map((b) => (
              <tr key={b.hour} className="border-t">
                <th scope="row" className="px-2 py-1 text-left font-normal whitespace-nowrap">
                  {hourLabel(b.hour)}
                </th>
                <td className="px-2 py-1 text-right tabular-nums">{n(b.success)}</td>
                <td className="px-2 py-1 text-right tabular-nums">{n(b.failed)}</td>
                <td className="px-2 py-1 text-right tabular-nums">{n(b.pending)}</td>
                {withSkipped ? <td className="px-2 py-1 text-right tabular-nums">{n(b.skipped)}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** Delivery volume, success rate, latency and the webhooks failing most, for a period. */
export function DeliveryOverview({ data }: { data: DeliveryOverviewData }) {
  const { period, buckets, totals, latency, failing, now } = data;
  const label = DASHBOARD_PERIODS[period].label;
  const lower = label.toLowerCase();
  const finished = totals.success + totals.failed;
  const busiest = buckets.reduce<HourBucket | null>((best, b) => {
    const sum = b.success + b.failed + b.pending + b.skipped;
    return sum > 0 && (!best || sum > best.success + best.failed + best.pending + best.skipped) ? b : best;
  }, null);
  const rated = buckets.filter((b) => b.success + b.failed > 0);
  const lowest = rated.reduce<HourBucket | null>(
    (worst, b) =>
      !worst || b.success / (b.success + b.failed) < worst.success / (worst.success + worst.failed) ? b : worst,
    null,
  );
  const historyHref = (webhookId: string) =>
    `/webhooks/${webhookId}/history${period === "24h" ? "" : `?period=${period}`}`;

  return (
    <section aria-labelledby="deliveries-heading" className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="deliveries-heading" className="text-lg font-semibold">
          Deliveries · {label}
        </h2>
        <PeriodSelector period={period} />
      </div>

      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4" aria-label="Key figures" role="group">
        <StatCard
          label="Deliveries"
          value={n(totals.total)}
          note={`${n(totals.pending)} pending`}
          testId="stat-deliveries"
        />
        <StatCard
          label="Success rate"
          value={totals.successRate === null ? "—" : percent(totals.successRate)}
          note={finished ? `of ${n(finished)} finished` : "none finished yet"}
          testId="stat-success-rate"
        />
        <StatCard
          label="Latency p50"
          value={latency.p50 === null ? "—" : `${n(latency.p50)} ms`}
          note="median response time"
          testId="stat-latency-p50"
        />
        <StatCard
          label="Latency p95"
          value={latency.p95 === null ? "—" : `${n(latency.p95)} ms`}
          note={`over ${n(latency.samples)} successful attempt${latency.samples === 1 ? "" : "s"}`}
          testId="stat-latency-p95"
        />
      </div>
      <p className="text-muted-foreground -mt-3 text-xs">
        Latency is how long receivers took to answer the attempts that succeeded (2xx) in the period: from sending the
        request to the end of the response. Success rate counts deliveries that finished — succeeded, or failed once
        their retries ran out; pending ones (queued, retrying or being sent) are not counted yet.
      </p>

      {totals.total === 0 ? (
        <div className="flex flex-col items-center justify-center rounded-xl border border-dashed px-6 py-12 text-center">
          <div className="bg-primary/10 text-primary mb-4 flex size-12 items-center justify-center rounded-full">
            <BarChart3Icon className="size-6" aria-hidden />
          </div>
          <h3 className="text-lg font-semibold">No deliveries in the {lower}</h3>
          <p className="text-muted-foreground mt-1 max-w-md text-sm">
            Deliveries are counted here when events match your active webhooks. The{" "}
            <Link href="/events" className="underline underline-offset-2">
              Events
            </Link>{" "}
            page shows what came in{period === "24h" ? ";" : "."}
            {period === "24h" ? (
              <>
                {" "}
                or look at the{" "}
                <Link href="/dashboard?period=7d" className="underline underline-offset-2">
                  last 7 days
                </Link>
                .
              </>
            ) : null}
          </p>
        </div>
      ) : (
        <div className="grid gap-6 xl:grid-cols-[2fr_1fr]">
          <div className="min-w-0 space-y-6">
            <ChartFigure
              id="volume"
              title="Deliveries per hour"
              caption={`Deliveries created each hour of the ${lower} (UTC), stacked by their status now.`}
              chart={<DeliveriesByHourChart buckets={buckets} />}
              figures={
                <>
                  <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-5" aria-label="Totals">
                    {(
                      [
                        ["Succeeded", totals.success, "text-emerald-600"],
                        ["Failed", totals.failed, "text-red-600"],
                        ["Pending", totals.pending, "text-amber-600"],
                        ...(totals.skipped ? ([["Skipped", totals.skipped, "text-muted-foreground"]] as const) : []),
                        ["Total", totals.total, ""],
                      ] as const
                    ).map(([name, value, tone]) => (
                      <div key={name}>
                        <dt className="text-muted-foreground text-xs">{name}</dt>
                        <dd
                          className={cn("font-semibold tabular-nums", tone)}
                          data-testid={`total-${name.toLowerCase()}`}
                        >
                          {n(value)}
                        </dd>
                      </div>
                    ))}
                  </dl>
                  {busiest ? (
                    <p className="text-muted-foreground text-sm">
                      Busiest hour: {hourLabel(busiest.hour)},{" "}
                      {n(busiest.success + busiest.failed + busiest.pending + busiest.skipped)} deliveries.
                    </p>
                  ) : null}
                  <HourlyTable buckets={buckets} withSkipped={totals.skipped > 0} />
                </>
              }
            />
            <ChartFigure
              id="rate"
              title="Success rate per hour"
              caption="Of each hour's finished deliveries, the share that succeeded; hours where none finished are left blank."
              chart={
                finished ? (
                  <SuccessRateChart buckets={buckets} />
                ) : (
                  <p className="text-muted-foreground py-8 text-center text-sm">
                    No delivery has finished yet in this period.
                  </p>
                )
              }
              figures={
                finished ? (
                  <p className="text-sm">
                    Overall <strong className="tabular-nums">{percent(totals.successRate ?? 0)}</strong> of{" "}
                    {n(finished)} finished deliveries
                    {lowest ? (
                      <>
                        ; lowest hour {hourLabel(lowest.hour)} at{" "}
                        {percent(lowest.success / (lowest.success + lowest.failed))}
                      </>
                    ) : null}
                    .
                  </p>
                ) : null
              }
            />
          </div>
          <Card className="h-fit gap-4">
            <CardHeader>
              <CardTitle id="failing-title">Failing most</CardTitle>
              <CardDescription>
                Webhooks with the most failed attempts (no 2xx: an error status, a timeout, a refused connection) in the{" "}
                {lower}.
              </CardDescription>
            </CardHeader>
            <CardContent>
              {failing.length === 0 ? (
                <p className="flex items-center gap-2 text-sm">
                  <CircleCheckIcon className="size-4 text-emerald-600" aria-hidden /> No failed attempts in the {lower}.
                </p>
              ) : (
                <ol className="divide-y" aria-labelledby="failing-title">
                  {failing.map((w) => (
                    <li key={w.webhookId} className="py-2.5 first:pt-0 last:pb-0">
                      <div className="flex items-start justify-between gap-3">
                        <Link
                          href={historyHref(w.webhookId)}
                          className="min-w-0 truncate text-sm font-medium hover:underline"
                          aria-label={`History of ${w.name}`}
                        >
                          {w.name}
                        </Link>
                        <span className="shrink-0 text-sm font-semibold text-red-600 tabular-nums" aria-hidden>
                          {n(w.failedAttempts)}
                        </span>
                      </div>
                      <p className="text-muted-foreground mt-0.5 flex flex-wrap items-center gap-x-2 text-xs">
                        <span>
                          {n(w.failedAttempts)} failed attempt{w.failedAttempts === 1 ? "" : "s"}
                          {w.failedDeliveries ? ` · ${n(w.failedDeliveries)} failed for good` : ""}
                        </span>
                        <span>
                          last{" "}
                          <time dateTime={w.lastFailureAt.toISOString()} title={formatDateTime(w.lastFailureAt)}>
                            {formatRelative(w.lastFailureAt, now)}
                          </time>
                        </span>
                        {!w.active ? <Badge variant="secondary">Switched off</Badge> : null}
                      </p>
                    </li>
                  ))}
                </ol>
              )}
            </CardContent>
          </Card>
        </div>
      )}
    </section>
  );
}
