import type { Metadata } from "next";
import { BreakableUrl } from "@/components/app/breakable-url";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChevronLeftIcon, CircleCheckIcon, CircleDashedIcon, CircleXIcon, ClockIcon, UserIcon } from "lucide-react";
import { getDb } from "@/db";
import { getDeliveryDetail } from "@/db/queries/history";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { AutoRefresh, ResendButton } from "@/components/history/history-controls";
import { CodeBlock, HeaderTable, prettyBody } from "@/components/app/code-block";
import { LastStatusBadge } from "@/components/webhooks/last-status-badge";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { can } from "@/lib/authz";
import { retryDelays } from "@/lib/delivery/retry";
import { statusMeaning } from "@/lib/delivery/status-meaning";
import { formatSeconds } from "@/lib/duration";
import { findEventType } from "@/lib/events/company-catalog";
import { formatDateTime, formatRelative, formatUntil } from "@/lib/format";
import { queuedWait, queuedWaitText } from "@/lib/history";
import { pageAccess } from "@/lib/session";
import { webhookObjectSchema } from "@/lib/validations/webhook";
import { isUuid } from "@/db/keyset";

export const metadata: Metadata = { title: "Delivery" };

/** One delivery: the event, every attempt's request (secrets masked when logged) and response, and what happens next.
 * */
export default async function DeliveryPage({ params }: { params: Promise<{ id: string; deliveryId: string }> }) {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="Webhooks" />;
  const { id, deliveryId } = await params;
  if (!isUuid(id) || !isUuid(deliveryId)) notFound();
  const detail = await getDeliveryDetail(getDb(), actor.companyId, deliveryId);
  if (!detail || detail.webhook.id !== id) notFound();
  const { delivery, event, webhook, attempts } = detail;
  const eventLabel = (await findEventType(getDb(), actor.companyId, event.type))?.label ?? event.type;
  const canManage = can(actor, "webhooks.manage");
  const now = Date.now();
  const pending = delivery.status === "queued" || delivery.status === "dispatched";
  const policy = webhookObjectSchema.shape.retryPolicy.safeParse(
    (webhook.config as { retryPolicy?: unknown }).retryPolicy,
  );
  const schedule = policy.success ? retryDelays(policy.data) : [];
  const autoAttempts = attempts.filter((a) => a.trigger !== "manual").length;
  const laterRetries = delivery.status === "queued" ? schedule.slice(autoAttempts) : [];
  const history = `/webhooks/${webhook.id}/history`;
  const wait = queuedWait(delivery, now);

  return (
    <>
      <Link
        href={history}
        className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm"
      >
        <ChevronLeftIcon className="size-4" aria-hidden /> {webhook.name} — history
      </Link>
      <PageHeader
        title={`${eventLabel}${event.recordId ? ` · ${event.recordId}` : ""}`}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <LastStatusBadge status={delivery.status} code={delivery.lastStatusCode} attempts={delivery.attempts} />
            <span>
              {delivery.attempts} attempt{delivery.attempts === 1 ? "" : "s"} · triggered{" "}
              {formatDateTime(delivery.createdAt)}
            </span>
          </span>
        }
        actions={
          <>
            <AutoRefresh active={pending} />
            {canManage && delivery.status !== "dispatched" ? (
              <ResendButton deliveryId={delivery.id} size="default" label="Resync now" />
            ) : null}
          </>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[1fr_20rem]">
        <div className="min-w-0 space-y-6">
          <section aria-labelledby="attempts-heading" className="space-y-3">
            <h2 id="attempts-heading" className="text-lg font-semibold">
              Attempts
            </h2>
            {attempts.length === 0 ? (
              <p className="text-muted-foreground rounded-lg border border-dashed p-4 text-sm" data-testid="queued-why">
                {wait
                  ? queuedWaitText(wait, (date) => formatUntil(date, now))
                  : (delivery.deferredReason ??
                    (delivery.status === "skipped" ? "Not sent: the webhook was switched off." : "No attempt yet."))}
              </p>
            ) : null}
            {attempts
              .slice()
              .reverse()
              .map((a) => {
                const ok = a.responseStatus !== null && a.responseStatus >= 200 && a.responseStatus < 300;
                return (
                  <Card key={a.id} aria-label={`Attempt ${a.attemptNumber}`} role="region" className="gap-4">
                    <CardHeader>
                      <CardTitle className="flex flex-wrap items-center gap-2 text-base">
                        {ok ? (
                          <CircleCheckIcon className="size-4 text-emerald-600" aria-hidden />
                        ) : (
                          <CircleXIcon className="size-4 text-red-600" aria-hidden />
                        )}
                        Attempt {a.attemptNumber}
                        {a.trigger === "manual" ? (
                          <Badge variant="secondary">
                            <UserIcon aria-hidden /> Manual{a.triggeredByName ? ` · ${a.triggeredByName}` : ""}
                          </Badge>
                        ) : null}
                      </CardTitle>
                      <CardDescription>
                        {formatDateTime(a.createdAt)}
                        {a.durationMs !== null ? ` · ${a.durationMs} ms` : ""}
                      </CardDescription>
                      <p className="text-sm" data-testid="attempt-meaning">
                        {statusMeaning(a.responseStatus, a.errorKind as never)}
                      </p>
                      {a.errorMessage && a.errorKind !== "http_status" ? (
                        <p className="text-muted-foreground text-xs break-all">{a.errorMessage}</p>
                      ) : null}
                    </CardHeader>
                    <CardContent className="grid gap-4 lg:grid-cols-2">
                      <div className="min-w-0 space-y-2">
                        <h3 className="text-sm font-medium">Request</h3>
                        <p className="flex items-center gap-2 font-mono text-xs">
                          <Badge variant="outline" className="font-mono">
                            {a.requestMethod}
                          </Badge>
                          <BreakableUrl url={a.requestUrl} className="min-w-0" />
                        </p>
                        <HeaderTable headers={a.requestHeaders} label={`Attempt ${a.attemptNumber} request headers`} />
                        {a.requestBody ? (
                          <CodeBlock label={`Attempt ${a.attemptNumber} request body`}>
                            {prettyBody(a.requestBody)}
                          </CodeBlock>
                        ) : null}
                      </div>
                      <div className="min-w-0 space-y-2">
                        <h3 className="text-sm font-medium">Response</h3>
                        {a.responseStatus === null ? (
                          <p className="text-muted-foreground text-sm">No response.</p>
                        ) : (
                          <>
                            <p className="font-mono text-xs">HTTP {a.responseStatus}</p>
                            <HeaderTable
                              headers={a.responseHeaders}
                              label={`Attempt ${a.attemptNumber} response headers`}
                            />
                            {a.responseBody ? (
                              <CodeBlock label={`Attempt ${a.attemptNumber} response body`}>
                                {prettyBody(a.responseBody)}
                              </CodeBlock>
                            ) : (
                              <p className="text-muted-foreground text-sm">Empty body.</p>
                            )}
                          </>
                        )}
                      </div>
                    </CardContent>
                  </Card>
                );
              })}
          </section>
          <section aria-labelledby="payload-heading" className="space-y-3">
            <h2 id="payload-heading" className="text-lg font-semibold">
              Event
            </h2>
            <CodeBlock label="Event payload">
              {JSON.stringify(
                {
                  id: event.externalId,
                  type: event.type,
                  occurredAt: event.occurredAt.toISOString(),
                  data: event.data,
                  previous: event.previous ?? undefined,
                },
                null,
                2,
              )}
            </CodeBlock>
          </section>
        </div>
        <aside aria-labelledby="timeline-heading" className="space-y-3">
          <h2 id="timeline-heading" className="text-lg font-semibold">
            Timeline
          </h2>
          <ol className="relative space-y-4 border-l pl-5 text-sm">
            <li>
              <span className="bg-muted-foreground absolute -left-1 mt-1.5 size-2 rounded-full" aria-hidden />
              <p className="font-medium">Event received</p>
              <p className="text-muted-foreground text-xs">{formatDateTime(delivery.createdAt)}</p>
            </li>
            {attempts.map((a) => (
              <li key={a.id}>
                <span
                  className={`absolute -left-1 mt-1.5 size-2 rounded-full ${a.responseStatus !== null && a.responseStatus < 300 && a.responseStatus >= 200 ? "bg-emerald-500" : "bg-red-500"}`}
                  aria-hidden
                />
                <p className="font-medium">
                  Attempt {a.attemptNumber}: {a.responseStatus ?? a.errorKind?.replace("_", " ") ?? "error"}
                </p>
                <p className="text-muted-foreground text-xs">{formatDateTime(a.createdAt)}</p>
              </li>
            ))}
            {delivery.status === "queued" && delivery.nextAttemptAt ? (
              <li>
                <ClockIcon className="text-amber-600 absolute -left-2 mt-0.5 size-4 bg-background" aria-hidden />
                <p className="font-medium">
                  {delivery.attempts === 0 ? "First attempt" : "Next attempt"}{" "}
                  {formatRelative(delivery.nextAttemptAt, now)}
                </p>
                <p className="text-muted-foreground text-xs">{formatDateTime(delivery.nextAttemptAt)}</p>
                {delivery.deferredReason ? (
                  <p className="text-muted-foreground text-xs">{delivery.deferredReason}</p>
                ) : null}
              </li>
            ) : null}
            {laterRetries.length ? (
              <li>
                <CircleDashedIcon
                  className="text-muted-foreground absolute -left-2 mt-0.5 size-4 bg-background"
                  aria-hidden
                />
                <p className="font-medium">
                  Then {laterRetries.length} more retr{laterRetries.length === 1 ? "y" : "ies"} if needed
                </p>
                <p className="text-muted-foreground text-xs">after {laterRetries.map(formatSeconds).join(", ")}</p>
              </li>
            ) : null}
            {delivery.status === "failed" ? (
              <li>
                <span className="absolute -left-1 mt-1.5 size-2 rounded-full bg-red-600" aria-hidden />
                <p className="font-medium text-red-600">Failed for good</p>
                <p className="text-muted-foreground text-xs">
                  {delivery.completedAt ? formatDateTime(delivery.completedAt) : ""} — no more automatic retries. Resync
                  to try again.
                </p>
              </li>
            ) : null}
            {delivery.status === "success" ? (
              <li>
                <span className="absolute -left-1 mt-1.5 size-2 rounded-full bg-emerald-600" aria-hidden />
                <p className="font-medium text-emerald-700">Delivered</p>
                <p className="text-muted-foreground text-xs">
                  {delivery.completedAt ? formatDateTime(delivery.completedAt) : ""}
                </p>
              </li>
            ) : null}
          </ol>
        </aside>
      </div>
    </>
  );
}
