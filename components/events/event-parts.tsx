import Link from "next/link";
import { FlaskConicalIcon, KeyRoundIcon } from "lucide-react";
import { LastStatusBadge } from "@/components/webhooks/last-status-badge";
import type { MatchedDelivery } from "@/lib/history";
import { getEventType } from "@/lib/events/catalog";

/** An event's type: its label (the catalog's, or `label` for a company's own type) over the dotted code. */
export function EventTypeLabel({ type, label: given, href }: { type: string; label?: string; href?: string }) {
  const label = given ?? getEventType(type)?.label ?? type;
  return (
    <>
      {href ? (
        <Link href={href} className="font-medium hover:underline">
          {label}
        </Link>
      ) : (
        <span className="font-medium">{label}</span>
      )}
      <div className="text-muted-foreground font-mono text-xs">{type}</div>
    </>
  );
}

/** Where an event came from: an API key (by name), or "Test event" and who sent it from this page. */
export function EventSource({
  event,
}: {
  event: { isTest: boolean; apiKeyName: string | null; sentByName: string | null };
}) {
  if (event.isTest) {
    return (
      <span className="inline-flex items-start gap-1.5 text-sm">
        <FlaskConicalIcon className="text-muted-foreground mt-0.5 size-3.5 shrink-0" aria-hidden />
        <span>
          Test event
          <span className="text-muted-foreground block text-xs">
            {event.sentByName ? `by ${event.sentByName}` : "by a former member"}
          </span>
        </span>
      </span>
    );
  }
  return (
    <span className="inline-flex items-start gap-1.5 text-sm">
      <KeyRoundIcon className="text-muted-foreground mt-0.5 size-3.5 shrink-0" aria-hidden />
      <span>
        {event.apiKeyName ?? "A deleted API key"}
        <span className="text-muted-foreground block text-xs">API key</span>
      </span>
    </span>
  );
}

/** The webhooks an event matched, each with its delivery's status, linking to the delivery's page. */
export function MatchedDeliveries({ deliveries }: { deliveries: MatchedDelivery[] }) {
  if (deliveries.length === 0) return <span className="text-muted-foreground text-sm">No webhook matched</span>;
  return (
    <ul className="flex flex-col gap-1" aria-label="Matched webhooks">
      {deliveries.map((d) => (
        <li key={d.id}>
          <Link
            href={`/webhooks/${d.webhookId}/history/${d.id}`}
            className="group inline-flex max-w-full items-center gap-2 text-sm"
          >
            <span className="min-w-0 truncate group-hover:underline">{d.webhookName}</span>
            <LastStatusBadge status={d.status} code={d.lastStatusCode} attempts={d.attempts} />
          </Link>
        </li>
      ))}
    </ul>
  );
}
