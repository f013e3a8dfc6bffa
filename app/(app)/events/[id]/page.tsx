import type { Metadata } from "next";
import type { ReactNode } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChevronLeftIcon } from "lucide-react";
import { getDb } from "@/db";
import { getCompanyEvent } from "@/db/queries/events";
import { CodeBlock } from "@/components/app/code-block";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { EventSource, MatchedDeliveries } from "@/components/events/event-parts";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { findEventType } from "@/lib/events/company-catalog";
import { formatDateTime } from "@/lib/format";
import { pageAccess } from "@/lib/session";
import { isUuid } from "@/db/keyset";

export const metadata: Metadata = { title: "Event" };

/** One event: where it came from, its payload as the webhooks receive it, and the deliveries it made. */
export default async function EventPage({ params }: { params: Promise<{ id: string }> }) {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="Events" />;
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const event = await getCompanyEvent(getDb(), actor.companyId, id);
  if (!event) notFound();
  const info = await findEventType(getDb(), actor.companyId, event.type);
  const payload = {
    id: event.externalId,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    data: event.data,
    ...(event.previous ? { previous: event.previous } : {}),
    ...(event.owner ? { owner: event.owner } : {}),
  };
  const facts: [string, ReactNode][] = [
    [
      "Type",
      <code key="type" className="font-mono text-xs">
        {event.type}
      </code>,
    ],
    [
      "Event id",
      <code key="id" className="font-mono text-xs break-all">
        {event.externalId}
      </code>,
    ],
    [
      "Record id",
      event.recordId ? (
        <code key="record" className="font-mono text-xs break-all">
          {event.recordId}
        </code>
      ) : (
        "—"
      ),
    ],
    ["Occurred", formatDateTime(event.occurredAt)],
    ["Received", formatDateTime(event.createdAt)],
    ["Source", <EventSource key="source" event={event} />],
  ];

  return (
    <>
      <Link
        href="/events"
        className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm"
      >
        <ChevronLeftIcon className="size-4" aria-hidden /> Events
      </Link>
      <PageHeader
        title={`${info?.label ?? event.type}${event.recordId ? ` · ${event.recordId}` : ""}`}
        description={info?.description}
      />
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <section aria-labelledby="payload-heading" className="min-w-0 space-y-3">
          <h2 id="payload-heading" className="text-lg font-semibold">
            Payload
          </h2>
          <p className="text-muted-foreground text-sm">
            The event as stored; a webhook sending raw data receives it like this.
          </p>
          <CodeBlock label="Event payload">{JSON.stringify(payload, null, 2)}</CodeBlock>
        </section>
        <div className="min-w-0 space-y-6">
          <Card className="gap-3">
            <CardHeader>
              <CardTitle className="text-base">Details</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="grid grid-cols-[6rem_1fr] gap-x-3 gap-y-2 text-sm">
                {facts.map(([label, value]) => (
                  <div key={label} className="contents">
                    <dt className="text-muted-foreground">{label}</dt>
                    <dd className="min-w-0">{value}</dd>
                  </div>
                ))}
              </dl>
            </CardContent>
          </Card>
          <Card className="gap-3">
            <CardHeader>
              <CardTitle className="text-base">
                Webhooks matched{" "}
                <span className="text-muted-foreground font-normal tabular-nums">({event.deliveries.length})</span>
              </CardTitle>
            </CardHeader>
            <CardContent>
              <MatchedDeliveries deliveries={event.deliveries} />
            </CardContent>
          </Card>
        </div>
      </div>
    </>
  );
}
