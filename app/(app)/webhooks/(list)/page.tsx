import type { Metadata } from "next";
import Link from "next/link";
import {
  ArrowDownIcon,
  ArrowUpDownIcon,
  ArrowUpIcon,
  ChevronLeftIcon,
  ChevronRightIcon,
  PlusIcon,
  SearchXIcon,
  TriangleAlertIcon,
  WebhookIcon,
} from "lucide-react";
import { getDb } from "@/db";
import { companyPlan } from "@/db/queries/plans";
import { WebhooksOffNotice } from "@/components/settings/plan-usage";
import { listWebhooks, WEBHOOK_SORTS, type WebhookSort } from "@/db/queries/webhooks";
import { webhooksNeedingReconnect } from "@/db/queries/oauth";
import { ReconnectBadge } from "@/components/oauth/reconnect-badge";
import { BreakableUrl } from "@/components/app/breakable-url";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { ActiveToggle, WebhookRowActions } from "@/components/webhooks/webhook-row-controls";
import { WebhookSearch } from "@/components/webhooks/webhook-search";
import { LastStatusBadge } from "@/components/webhooks/last-status-badge";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { can } from "@/lib/authz";
import { eventTypeLabels } from "@/lib/events/company-catalog";
import { formatDateTime, formatRelative } from "@/lib/format";
import { listingDb, pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "Webhooks" };

type Search = { q?: string; sort?: string; dir?: string; page?: string };

function hrefWith(current: Search, patch: Partial<Search>): string {
  const next = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...current, ...patch })) if (v) next.set(k, v);
  return next.size ? `/webhooks?${next}` : "/webhooks";
}

function sortState(sort: WebhookSort, current: Search): "ascending" | "descending" | "none" {
  if ((current.sort ?? "created") !== sort) return "none";
  return current.dir === "asc" ? "ascending" : "descending";
}

/**
 * A sortable column's header: `aria-sort` on the cell, an arrow for the order it is sorted in (a faint up-down arrow
 * while it is not), and a link that sorts by it (again: the other way).
 */
function SortableHead({ label, sort, current }: { label: string; sort: WebhookSort; current: Search }) {
  const state = sortState(sort, current);
  const nextDir = state === "descending" ? "asc" : state === "none" && sort === "name" ? "asc" : "desc";
  const Icon = state === "ascending" ? ArrowUpIcon : state === "descending" ? ArrowDownIcon : ArrowUpDownIcon;
  return (
    <TableHead aria-sort={state}>
      <Link
        href={hrefWith(current, { sort, dir: nextDir, page: undefined })}
        className="hover:text-foreground inline-flex items-center gap-1"
      >
        {label}
        <span className="sr-only">, sort {nextDir === "asc" ? "ascending" : "descending"}</span>
        <Icon
          className={state === "none" ? "text-muted-foreground/60 size-3.5" : "size-3.5"}
          aria-hidden
          data-sort-icon={state}
        />
      </Link>
    </TableHead>
  );
}

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="Webhooks" />;
  const canManage = can(actor, "webhooks.manage");

  const search = await searchParams;
  const sort = (WEBHOOK_SORTS as readonly string[]).includes(search.sort ?? "")
    ? (search.sort as WebhookSort)
    : "created";
  const page = Math.max(1, Number.parseInt(search.page ?? "1", 10) || 1);
  const [list, reconnect] = await Promise.all([
    // The listing may come from the replica (DATABASE_READ_URL); everything else here reads the primary.
    listWebhooks(await listingDb(), actor.companyId, {
      q: search.q,
      sort,
      dir: search.dir === "asc" ? "asc" : "desc",
      page,
      pageSize: 20,
    }),
    webhooksNeedingReconnect(getDb(), actor.companyId),
  ]);
  const labels = await eventTypeLabels(
    getDb(),
    actor.companyId,
    list.rows.flatMap((w) => w.eventTypes.slice(0, 1)),
  );
  const plan = await companyPlan(getDb(), actor.companyId);
  const notice = plan.webhooksEnabled ? null : <WebhooksOffNotice planName={plan.name} />;
  const now = Date.now();
  const newButton = canManage ? (
    <Button asChild>
      <Link href="/webhooks/new">
        <PlusIcon aria-hidden />
        New webhook
      </Link>
    </Button>
  ) : null;

  if (list.total === 0 && !search.q) {
    return (
      <>
        <PageHeader title="Webhooks" description="Send your records to other systems the moment something happens." />
        {notice}
        <EmptyState
          icon={WebhookIcon}
          title="No webhooks yet"
          description={
            canManage
              ? "A webhook sends an HTTP request to a URL you choose when an event happens — a deal is won, a contact is created. Create one, test it, then switch it on."
              : "A webhook sends an HTTP request to a URL you choose when an event happens. Ask someone with the Manage Webhooks permission to create one."
          }
          action={newButton}
        />
      </>
    );
  }

  const from = (list.page - 1) * list.pageSize + 1;
  const to = Math.min(list.total, list.page * list.pageSize);

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Send your records to other systems the moment something happens."
        actions={newButton}
      />
      {notice}
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <WebhookSearch initial={search.q ?? ""} />
        <p className="text-muted-foreground text-sm" aria-live="polite">
          {list.total === 0 ? "No matches" : `${from}–${to} of ${list.total} webhook${list.total === 1 ? "" : "s"}`}
        </p>
      </div>
      {list.total === 0 ? (
        <EmptyState
          icon={SearchXIcon}
          title="No webhooks match"
          description={<>Nothing has “{search.q}” in its name or URL.</>}
          action={
            <Button variant="outline" asChild>
              <Link href="/webhooks">Clear search</Link>
            </Button>
          }
        />
      ) : (
        <div className="rounded-xl border">
          <Table className="table-cards">
            <TableHeader>
              <TableRow>
                <SortableHead label="Name" sort="name" current={search} />
                <TableHead>Trigger</TableHead>
                <TableHead>Request</TableHead>
                <SortableHead label="Last sent" sort="lastSent" current={search} />
                <TableHead>Status</TableHead>
                <TableHead>Active</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.rows.map((w) => (
                <TableRow key={w.id}>
                  <TableCell className="max-w-56">
                    <Link
                      href={`/webhooks/${w.id}`}
                      className="block truncate font-medium hover:underline max-sm:break-words max-sm:whitespace-normal"
                      title={w.name}
                    >
                      {w.name}
                    </Link>
                    {reconnect.has(w.id) ? (
                      <div>
                        <ReconnectBadge reconnect={reconnect.get(w.id)!} />
                      </div>
                    ) : null}
                    {w.disabledReason ? (
                      <Tooltip>
                        <TooltipTrigger asChild>
                          <p className="text-destructive mt-0.5 flex items-center gap-1 text-xs" tabIndex={0}>
                            <TriangleAlertIcon className="size-3.5 shrink-0" aria-hidden />
                            <span className="truncate">Switched off: {w.disabledReason}</span>
                          </p>
                        </TooltipTrigger>
                        <TooltipContent className="max-w-sm">{w.disabledReason}</TooltipContent>
                      </Tooltip>
                    ) : w.description ? (
                      <p className="text-muted-foreground truncate text-xs">{w.description}</p>
                    ) : null}
                  </TableCell>
                  <TableCell data-label="Trigger">
                    <div className="text-sm">
                      {labels.get(w.eventTypes[0]) ?? w.eventTypes[0]}
                      {w.eventTypes.length > 1 ? (
                        <span className="text-muted-foreground"> +{w.eventTypes.length - 1} more</span>
                      ) : null}
                    </div>
                    <code className="text-muted-foreground text-xs wrap-anywhere">{w.eventTypes.join(", ")}</code>
                  </TableCell>
                  <TableCell className="max-w-72">
                    <div className="flex items-center gap-2 max-sm:items-start">
                      <Badge variant="outline" className="font-mono">
                        {w.method}
                      </Badge>
                      <span className="truncate font-mono text-xs max-sm:whitespace-normal" title={w.url}>
                        <BreakableUrl url={w.url} />
                      </span>
                    </div>
                  </TableCell>
                  <TableCell className="whitespace-nowrap" data-label="Last sent">
                    {w.lastSentAt ? (
                      <time dateTime={w.lastSentAt.toISOString()} title={formatDateTime(w.lastSentAt)}>
                        {formatRelative(w.lastSentAt, now)}
                      </time>
                    ) : (
                      <span className="text-muted-foreground">Never</span>
                    )}
                  </TableCell>
                  <TableCell data-label="Status">
                    <LastStatusBadge status={w.lastStatus} code={w.lastStatusCode} />
                  </TableCell>
                  <TableCell data-label="Active">
                    <ActiveToggle webhookId={w.id} name={w.name} active={w.active} disabled={!canManage} />
                  </TableCell>
                  <TableCell className="text-right" data-card="actions">
                    <WebhookRowActions webhookId={w.id} name={w.name} canManage={canManage} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {list.pageCount > 1 ? (
        <nav className="mt-4 flex items-center justify-end gap-2" aria-label="Pages">
          <span className="text-muted-foreground mr-2 text-sm">
            Page {list.page} of {list.pageCount}
          </span>
          <Button variant="outline" size="sm" asChild={list.page > 1} disabled={list.page <= 1}>
            {list.page > 1 ? (
              <Link href={hrefWith(search, { page: String(list.page - 1) })}>
                <ChevronLeftIcon aria-hidden /> Previous
              </Link>
            ) : (
              <span>
                <ChevronLeftIcon aria-hidden /> Previous
              </span>
            )}
          </Button>
          <Button
            variant="outline"
            size="sm"
            asChild={list.page < list.pageCount}
            disabled={list.page >= list.pageCount}
          >
            {list.page < list.pageCount ? (
              <Link href={hrefWith(search, { page: String(list.page + 1) })}>
                Next <ChevronRightIcon aria-hidden />
              </Link>
            ) : (
              <span>
                Next <ChevronRightIcon aria-hidden />
              </span>
            )}
          </Button>
        </nav>
      ) : null}
    </>
  );
}
