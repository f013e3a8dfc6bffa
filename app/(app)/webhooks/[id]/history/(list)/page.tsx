import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChevronLeftIcon, InboxIcon, PencilIcon } from "lucide-react";
import { getDb } from "@/db";
import { DELIVERY_STATUSES, type DeliveryStatus } from "@/db/schema";
import { decodeCursor } from "@/db/keyset";
import { listWebhookDeliveries } from "@/db/queries/deliveries";
import { deliveryCounts, deliveryFlags, latestBulkRetry } from "@/db/queries/history";
import { getCompanyWebhook } from "@/db/queries/webhooks";
import { BreakableUrl } from "@/components/app/breakable-url";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { KeysetPager } from "@/components/app/keyset-pager";
import { PageHeader } from "@/components/app/page-header";
import { AutoRefresh, ResendButton } from "@/components/history/history-controls";
import { BulkRetryProgress } from "@/components/history/bulk-retry-progress";
import { RecoverButton } from "@/components/history/recover";
import { RetryAllButton } from "@/components/history/retry-all";
import { LastStatusBadge } from "@/components/webhooks/last-status-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { can } from "@/lib/authz";
import { statusMeaningParts } from "@/lib/delivery/status-meaning";
import { eventTypeLabels } from "@/lib/events/company-catalog";
import { formatDateTime, formatRelative, formatUntil } from "@/lib/format";
import { queuedWait, queuedWaitText } from "@/lib/history";
import { listingDb, pageAccess } from "@/lib/session";
import { cn } from "@/lib/utils";
import { isUuid } from "@/db/keyset";

export const metadata: Metadata = { title: "Delivery history" };

const PERIODS = {
  "24h": ["Last 24 hours", 86_400_000],
  "7d": ["Last 7 days", 7 * 86_400_000],
  "30d": ["Last 30 days", 30 * 86_400_000],
  all: ["All time", 0],
} as const;
type Period = keyof typeof PERIODS;
const STATUS_TABS: [DeliveryStatus | "all", string][] = [
  ["all", "All"],
  ["queued", "Queued"],
  ["dispatched", "Dispatched"],
  ["success", "Success"],
  ["failed", "Failed"],
  ["skipped", "Skipped"],
];

type Search = { status?: string; cursor?: string; period?: string };

export default async function HistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Search>;
}) {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="Webhooks" />;
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const db = getDb();
  const webhook = await getCompanyWebhook(db, actor.companyId, id);
  if (!webhook) notFound();
  const canManage = can(actor, "webhooks.manage");

  const search = await searchParams;
  const status = (DELIVERY_STATUSES as readonly string[]).includes(search.status ?? "")
    ? (search.status as DeliveryStatus)
    : undefined;
  const period: Period = search.period && search.period in PERIODS ? (search.period as Period) : "24h";
  const cursor = search.cursor ? decodeCursor(search.cursor) : null;
  const now = Date.now();
  const since = PERIODS[period][1] ? new Date(now - PERIODS[period][1]) : null;
  // The history's counts and rows may come from the replica (DATABASE_READ_URL); the webhook and the
  // "Retry all failed" banner (written by this page's own buttons) from the primary. The period's counts stop at
  // 10,000 a status ("10,000+"); what the page needs of all time is two yes/no answers.
  const history = await listingDb();
  const [counts, flags, page, bulk] = await Promise.all([
    deliveryCounts(history, webhook.id, since),
    deliveryFlags(history, webhook.id),
    listWebhookDeliveries(history, actor.companyId, webhook.id, { status, cursor, limit: 25 }),
    latestBulkRetry(db, actor.companyId, webhook.id),
  ]);
  const labels = await eventTypeLabels(
    db,
    actor.companyId,
    page.deliveries.map((d) => d.event.type),
  );
  const bulkActive = bulk !== null && (bulk.state === "queued" || bulk.state === "running");
  // The banner lasts as long as the work: while deliveries are re-queued, then while they are being sent (some
  // still waiting); a run that stopped on an error says so for ten minutes.
  const bulkRecent =
    bulk !== null &&
    (bulkActive ||
      (bulk.finishedAt !== null &&
        now - bulk.finishedAt.getTime() < 10 * 60_000 &&
        (bulk.state === "failed" || flags.pending)));
  const base = `/webhooks/${webhook.id}/history`;
  const href = (patch: Partial<Search>) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries({ status: search.status, period: search.period, ...patch }))
      if (v && v !== "all") next.set(k, v);
    return next.size ? `${base}?${next}` : base;
  };
  // A delivery of a webhook with a batch window waits for its window (the list does not load each one's batch key).
  const batchKey = (webhook.config as { batchWindowSeconds?: number }).batchWindowSeconds ? "window" : null;
  // What each delivery not attempted yet waits for ("Waits for the execution delay until 14:05 UTC").
  const waits = new Map(
    page.deliveries.map((d) => {
      const wait = queuedWait({ ...d, batchKey }, now);
      return [d.id, wait ? queuedWaitText(wait, (date) => formatUntil(date, now)) : null];
    }),
  );
  const pendingOnPage = page.deliveries.some((d) => d.status === "queued" || d.status === "dispatched");

  return (
    <>
      <Link
        href="/webhooks"
        className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm"
      >
        <ChevronLeftIcon className="size-4" aria-hidden /> Webhooks
      </Link>
      <PageHeader
        title={`${webhook.name} — history`}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <Badge variant="outline" className="font-mono">
              {webhook.method}
            </Badge>
            <BreakableUrl url={webhook.url} className="font-mono text-xs" />
            {!webhook.active ? <Badge variant="secondary">Switched off</Badge> : null}
          </span>
        }
        actions={
          <>
            <AutoRefresh active={pendingOnPage || flags.pending || bulkActive} />
            {canManage ? (
              <>
                <RetryAllButton
                  webhookId={webhook.id}
                  period={period}
                  failed={counts.failed}
                  disabledReason={
                    bulkActive
                      ? "A retry of this webhook's deliveries is under way"
                      : !flags.retryable
                        ? "Nothing to retry: no delivery of this webhook failed or was skipped"
                        : null
                  }
                />
                <RecoverButton
                  webhookId={webhook.id}
                  active={webhook.active}
                  suggestedSince={(webhook.failingSince ?? webhook.disabledAt)?.toISOString() ?? null}
                  disabled={bulkActive}
                />
              </>
            ) : null}
            <Button variant="outline" asChild>
              <Link href={`/webhooks/${webhook.id}`}>
                <PencilIcon aria-hidden /> {canManage ? "Edit" : "Settings"}
              </Link>
            </Button>
          </>
        }
      />

      {bulk && bulkRecent ? <BulkRetryProgress bulk={bulk} /> : null}
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-sm font-medium">{PERIODS[period][0]}</h2>
        <nav aria-label="Period" className="bg-muted inline-flex rounded-lg p-1 text-sm">
          {(Object.keys(PERIODS) as Period[]).map((p) => (
            <Link
              key={p}
              href={href({ period: p === "24h" ? undefined : p, cursor: undefined })}
              aria-current={p === period ? "true" : undefined}
              className={cn(
                "rounded-md px-2.5 py-1",
                p === period ? "bg-background font-medium shadow-sm" : "text-muted-foreground hover:text-foreground",
              )}
            >
              {PERIODS[p][0].replace("Last ", "")}
            </Link>
          ))}
        </nav>
      </div>
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4" aria-label="Counts">
        {(
          [
            ["Triggered", counts.triggered, counts.capped.triggered, ""],
            ["Succeeded", counts.success, counts.capped.success, "text-emerald-600"],
            ["Failed", counts.failed, counts.capped.failed, "text-red-600"],
            ["Pending", counts.pending, counts.capped.pending, "text-amber-600"],
          ] as const
        ).map(([label, n, capped, tone]) => (
          <Card key={label} className="gap-1 py-4">
            <CardHeader className="px-4">
              <CardTitle className="text-muted-foreground text-sm font-normal">{label}</CardTitle>
            </CardHeader>
            <CardContent className="px-4">
              <p
                className={cn("text-2xl font-semibold tabular-nums", tone)}
                data-testid={`count-${label.toLowerCase()}`}
              >
                {n.toLocaleString("en")}
                {capped ? <span title="Counting stops at 10,000 deliveries of a status">+</span> : null}
              </p>
            </CardContent>
          </Card>
        ))}
      </div>

      <nav aria-label="Filter by status" className="mb-4 flex flex-wrap gap-1 border-b">
        {STATUS_TABS.map(([value, label]) => {
          const current = (status ?? "all") === value;
          return (
            <Link
              key={value}
              href={href({ status: value === "all" ? undefined : value, cursor: undefined })}
              aria-current={current ? "page" : undefined}
              className={cn(
                "-mb-px border-b-2 px-3 py-2 text-sm",
                current
                  ? "border-primary text-foreground font-medium"
                  : "text-muted-foreground hover:text-foreground border-transparent",
              )}
            >
              {label}
            </Link>
          );
        })}
      </nav>

      {page.deliveries.length === 0 ? (
        <EmptyState
          icon={InboxIcon}
          title={cursor ? "No older deliveries" : status ? `No ${status} deliveries` : "No deliveries yet"}
          description={
            status || cursor
              ? "Try another status, or go back to the newest."
              : webhook.active
                ? "When an event matching this webhook arrives, its delivery shows here with every attempt."
                : "The webhook is switched off: switch it on, and matching events will be delivered and shown here."
          }
          action={
            status || cursor ? (
              <Button variant="outline" asChild>
                <Link href={base}>Show all</Link>
              </Button>
            ) : null
          }
        />
      ) : (
        <div className="rounded-xl border">
          <Table className="table-cards">
            <TableHeader>
              <TableRow>
                <TableHead>Event</TableHead>
                <TableHead>Record</TableHead>
                <TableHead>Time</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">Attempts</TableHead>
                <TableHead className="text-right">Duration</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.deliveries.map((d) => (
                <TableRow key={d.id}>
                  <TableCell>
                    <Link href={`${base}/${d.id}`} className="font-medium hover:underline">
                      {labels.get(d.event.type) ?? d.event.type}
                    </Link>
                    <div className="text-muted-foreground font-mono text-xs">{d.event.type}</div>
                  </TableCell>
                  <TableCell className="font-mono text-xs" data-label="Record">
                    {d.event.recordId ?? "—"}
                  </TableCell>
                  <TableCell className="whitespace-nowrap" data-label="Time">
                    <time dateTime={d.createdAt.toISOString()} title={formatDateTime(d.createdAt)}>
                      {formatRelative(d.createdAt, now)}
                    </time>
                  </TableCell>
                  <TableCell data-label="Status">
                    <div className="flex flex-col items-start gap-0.5 max-sm:items-end max-sm:text-right">
                      <LastStatusBadge status={d.status} code={d.lastStatusCode} attempts={d.attempts} />
                      {waits.get(d.id) ? (
                        <span className="text-muted-foreground text-xs" data-testid="queued-why">
                          {waits.get(d.id)}
                        </span>
                      ) : d.status === "queued" && d.nextAttemptAt ? (
                        <span className="text-muted-foreground text-xs">
                          next try {formatRelative(d.nextAttemptAt, now)}
                        </span>
                      ) : d.status === "failed" || d.status === "skipped" ? (
                        <span
                          className="text-muted-foreground max-w-56 truncate text-xs"
                          title={d.lastError ?? d.deferredReason ?? undefined}
                        >
                          {d.lastStatusCode !== null
                            ? statusMeaningParts(d.lastStatusCode).label
                            : (d.deferredReason ?? d.lastError)}
                        </span>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell className="text-right tabular-nums" data-label="Attempts">
                    {d.attempts}
                  </TableCell>
                  <TableCell className="text-right tabular-nums" data-label="Duration">
                    {d.lastDurationMs !== null ? `${d.lastDurationMs} ms` : "—"}
                  </TableCell>
                  <TableCell className="text-right whitespace-nowrap" data-card="actions">
                    <Button variant="ghost" size="sm" asChild>
                      <Link
                        href={`${base}/${d.id}`}
                        aria-label={`Details of ${d.event.type} ${d.event.recordId ?? ""}`.trim()}
                      >
                        Details
                      </Link>
                    </Button>
                    {canManage && d.status !== "dispatched" ? (
                      <ResendButton
                        deliveryId={d.id}
                        aria-label={`Resync ${d.event.type} ${d.event.recordId ?? ""}`.trim()}
                      />
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      <KeysetPager
        newerHref={cursor ? href({ cursor: undefined }) : null}
        olderHref={page.nextCursor ? href({ cursor: page.nextCursor }) : null}
      />
    </>
  );
}
