import type { Metadata } from "next";
import Link from "next/link";
import { ActivityIcon, SearchXIcon } from "lucide-react";
import { getDb } from "@/db";
import { decodeCursor } from "@/db/keyset";
import { listEvents } from "@/db/queries/events";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { EventFilters } from "@/components/events/event-filters";
import { EventSource, EventTypeLabel, MatchedDeliveries } from "@/components/events/event-parts";
import { KeysetPager } from "@/components/app/keyset-pager";
import { SendTestEventButton } from "@/components/events/send-test-event";
import { AutoRefresh } from "@/components/history/history-controls";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { can } from "@/lib/authz";
import { eventTypeLabels, testEventTypeOptions } from "@/lib/events/company-catalog";
import { EVENT_TYPE_NAME } from "@/lib/validations/event";
import { formatDateTime, formatRelative } from "@/lib/format";
import { listingDb, pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "Events" };

type Search = { q?: string; type?: string; cursor?: string };

export default async function EventsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="Events" />;
  const canManage = can(actor, "webhooks.manage");

  const search = await searchParams;
  const q = (search.q ?? "").trim().slice(0, 200);
  const type = search.type && EVENT_TYPE_NAME.test(search.type) ? search.type : "";
  const cursor = search.cursor ? decodeCursor(search.cursor) : null;
  const [page, eventTypes] = await Promise.all([
    // The listing may come from the replica (DATABASE_READ_URL).
    listEvents(await listingDb(), actor.companyId, { q, type, cursor, limit: 25 }),
    testEventTypeOptions(getDb(), actor.companyId),
  ]);
  const labels = await eventTypeLabels(
    getDb(),
    actor.companyId,
    page.events.map((e) => e.type),
  );
  const now = Date.now();
  const filtered = Boolean(q || type);
  const href = (patch: Partial<Search>) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries({ q, type, ...patch })) if (v) next.set(k, v);
    return next.size ? `/events?${next}` : "/events";
  };
  const description = "What your systems posted to Hookrelay, and which webhooks each event matched.";
  // Fresh events whose deliveries are still on their way: refresh until they land.
  const inFlight =
    !cursor &&
    page.events.some(
      (e) =>
        now - e.createdAt.getTime() < 5 * 60_000 &&
        e.deliveries.some((d) => d.status === "dispatched" || (d.status === "queued" && d.attempts === 0)),
    );
  const testButton = canManage ? <SendTestEventButton eventTypes={eventTypes} /> : null;

  if (page.events.length === 0 && !filtered && !cursor) {
    return (
      <>
        <PageHeader title="Events" description={description} />
        <EmptyState
          icon={ActivityIcon}
          title="No events yet"
          description={
            <>
              Events arrive when your business app posts them to{" "}
              <code className="font-mono text-xs">/api/v1/events</code> with an API key.
              {canManage ? " Send a test event to see one go through your webhooks now." : null}
            </>
          }
          action={testButton}
        />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Events"
        description={description}
        actions={
          <>
            <AutoRefresh active={inFlight} />
            {testButton}
          </>
        }
      />
      <div className="mb-4">
        <EventFilters key={`${q}|${type}`} q={q} type={type} eventTypes={eventTypes} />
      </div>
      {page.events.length === 0 ? (
        <EmptyState
          icon={SearchXIcon}
          title={cursor ? "No older events" : "No events match"}
          description={
            cursor ? (
              "You have reached the oldest events for this search."
            ) : (
              <>No event has a record id, event id or type matching “{q || type}”.</>
            )
          }
          action={
            <Button variant="outline" asChild>
              <Link href="/events">{filtered ? "Clear search" : "Newest events"}</Link>
            </Button>
          }
        />
      ) : (
        <div className="rounded-xl border">
          <Table className="table-cards">
            <TableHeader>
              <TableRow>
                <TableHead>Event</TableHead>
                <TableHead>Record</TableHead>
                <TableHead>Received</TableHead>
                <TableHead>Source</TableHead>
                <TableHead>Webhooks</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.events.map((e) => (
                <TableRow key={e.id} className="align-top">
                  <TableCell>
                    <EventTypeLabel type={e.type} label={labels.get(e.type)} href={`/events/${e.id}`} />
                  </TableCell>
                  <TableCell className="max-w-40" data-label="Record">
                    <div className="truncate font-mono text-xs max-sm:text-right" title={e.recordId ?? undefined}>
                      {e.recordId ?? "—"}
                    </div>
                    <div
                      className="text-muted-foreground truncate font-mono text-xs max-sm:text-right"
                      title={`Event id ${e.externalId}`}
                    >
                      {e.externalId}
                    </div>
                  </TableCell>
                  <TableCell className="whitespace-nowrap" data-label="Received">
                    <time dateTime={e.createdAt.toISOString()} title={formatDateTime(e.createdAt)}>
                      {formatRelative(e.createdAt, now)}
                    </time>
                  </TableCell>
                  <TableCell data-label="Source">
                    <EventSource event={e} />
                  </TableCell>
                  <TableCell className="max-w-72" data-label="Webhooks">
                    <MatchedDeliveries deliveries={e.deliveries} />
                  </TableCell>
                  <TableCell className="text-right" data-card="actions">
                    <Button variant="ghost" size="sm" asChild>
                      <Link href={`/events/${e.id}`} aria-label={`Payload of ${e.type} ${e.recordId ?? ""}`.trim()}>
                        Payload
                      </Link>
                    </Button>
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
