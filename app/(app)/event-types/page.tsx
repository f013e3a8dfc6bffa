import type { Metadata } from "next";
import { ChevronRightIcon, ShapesIcon } from "lucide-react";
import { getDb } from "@/db";
import { listCompanyEventTypes, webhookCountsByType } from "@/db/queries/event-types";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { AddEventTypeButton, type CompanyEventTypeRow } from "@/components/event-types/event-type-dialog";
import { EventTypeRowActions } from "@/components/event-types/event-type-row-actions";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { can } from "@/lib/authz";
import { EVENT_TYPES, type EventTypeInfo } from "@/lib/events/catalog";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "Event types" };

/** "sales_order" → "Sales order". */
function moduleName(module: string): string {
  const words = module.replace(/_/g, " ");
  return words[0].toUpperCase() + words.slice(1);
}

function byModule(types: EventTypeInfo[]): [string, EventTypeInfo[]][] {
  const map = new Map<string, EventTypeInfo[]>();
  for (const t of types) map.set(t.entity, [...(map.get(t.entity) ?? []), t]);
  return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function webhookCount(n: number) {
  return n === 0 ? "No webhooks" : `${n} ${n === 1 ? "webhook" : "webhooks"}`;
}

/**
 * The event types a company's webhooks can listen to: its own (registered here or over the API, with
 * an optional JSON Schema), and the built-in catalog, read-only and grouped by module.
 */
export default async function EventTypesPage() {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="Event types" />;
  const canManage = can(actor, "webhooks.manage");
  const db = getDb();
  const [own, counts] = await Promise.all([
    listCompanyEventTypes(db, actor.companyId, { includeDeprecated: true }),
    webhookCountsByType(db, actor.companyId),
  ]);
  const rows: CompanyEventTypeRow[] = own.map((r) => ({
    type: r.type,
    label: r.label,
    module: r.module,
    description: r.description,
    schema: r.schema ?? null,
    sample: r.sample,
    deprecated: r.deprecatedAt !== null,
    webhooks: counts.get(r.type) ?? 0,
  }));
  const modules = byModule(EVENT_TYPES);

  return (
    <>
      <PageHeader
        title="Event types"
        description="What your business app can send to Hookrelay: the built-in catalog and your company's own types."
        actions={canManage && rows.length ? <AddEventTypeButton /> : null}
      />

      <section aria-labelledby="own-types-heading" className="space-y-3">
        <h2 id="own-types-heading" className="text-lg font-semibold">
          Your event types
        </h2>
        {rows.length === 0 ? (
          <EmptyState
            icon={ShapesIcon}
            title="No event types of your own yet"
            description={
              <>
                Register the events of your business app&apos;s own modules — a ticket escalated, a shipment sent — with
                a label, a sample record and optionally a JSON Schema. Once registered, send them to{" "}
                <code className="font-mono text-xs">POST /api/v1/events</code> and webhooks can listen to them like the
                built-in ones.
                {canManage ? null : " Adding one takes the Manage Webhooks permission."}
              </>
            }
            action={canManage ? <AddEventTypeButton /> : null}
          />
        ) : (
          <div className="rounded-xl border">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Event type</TableHead>
                  <TableHead className="hidden sm:table-cell">Module</TableHead>
                  <TableHead className="hidden sm:table-cell">Listened to by</TableHead>
                  {canManage ? (
                    <TableHead>
                      <span className="sr-only">Actions</span>
                    </TableHead>
                  ) : null}
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((r) => (
                  <TableRow key={r.type} className="align-top">
                    <TableCell className="whitespace-normal">
                      <div className="flex flex-wrap items-center gap-2">
                        <span className="font-medium break-words">{r.label}</span>
                        {r.deprecated ? (
                          <Badge
                            variant="outline"
                            title="New webhooks no longer offer it; its events are still accepted"
                          >
                            Deprecated
                          </Badge>
                        ) : null}
                      </div>
                      <code className="text-muted-foreground block font-mono text-xs wrap-anywhere">{r.type}</code>
                      {r.description ? (
                        <p className="text-muted-foreground mt-1 max-w-prose text-xs break-words">{r.description}</p>
                      ) : null}
                      <p className="text-muted-foreground mt-1 text-xs sm:hidden">
                        {moduleName(r.module)} · {webhookCount(r.webhooks)}
                        {r.schema ? " · schema" : ""}
                      </p>
                    </TableCell>
                    <TableCell className="hidden sm:table-cell">
                      <div>{moduleName(r.module)}</div>
                      {r.schema ? <div className="text-muted-foreground text-xs">With a JSON Schema</div> : null}
                    </TableCell>
                    <TableCell className="hidden sm:table-cell">{webhookCount(r.webhooks)}</TableCell>
                    {canManage ? (
                      <TableCell className="text-right">
                        <EventTypeRowActions row={r} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </section>

      <section aria-labelledby="catalog-heading" className="mt-10 space-y-3">
        <div className="space-y-1">
          <h2 id="catalog-heading" className="text-lg font-semibold">
            Built-in catalog
          </h2>
          <p className="text-muted-foreground text-sm">
            {EVENT_TYPES.length} event types in {modules.length} modules, ready for any webhook. Their names cannot be
            registered again.
          </p>
        </div>
        <div className="divide-y rounded-xl border">
          {modules.map(([module, types]) => (
            <details key={module} className="group">
              <summary className="hover:bg-muted/50 focus-visible:ring-ring flex cursor-pointer list-none items-center gap-2 px-4 py-3 text-sm outline-none focus-visible:ring-2 [&::-webkit-details-marker]:hidden">
                <ChevronRightIcon
                  className="text-muted-foreground size-4 shrink-0 transition-transform group-open:rotate-90"
                  aria-hidden
                />
                <span className="font-medium">{moduleName(module)}</span>
                <span className="text-muted-foreground">
                  {types.length} {types.length === 1 ? "event" : "events"}
                </span>
              </summary>
              <ul className="space-y-2 px-4 pb-4 pl-10">
                {types.map((t) => (
                  <li key={t.type} className="text-sm">
                    <span className="font-medium">{t.label}</span>{" "}
                    <code className="text-muted-foreground font-mono text-xs wrap-anywhere">{t.type}</code>
                    <p className="text-muted-foreground text-xs">{t.description}</p>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </div>
      </section>
    </>
  );
}
