import type { Metadata } from "next";
import Link from "next/link";
import { ScrollTextIcon } from "lucide-react";
import { getDb } from "@/db";
import { decodeCursor } from "@/db/keyset";
import { AUDIT_TARGET_GROUPS, isAuditTargetGroup, listAuditLog, type AuditTargetGroup } from "@/db/queries/audit";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { KeysetPager } from "@/components/app/keyset-pager";
import { AUDIT_GROUP_LABELS, AuditDetails, auditActionLabel } from "@/components/settings/audit-entry";
import { AuditTypeFilter } from "@/components/settings/audit-filter";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { can, type Actor } from "@/lib/authz";
import { formatDateTime, formatRelative } from "@/lib/format";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: "Audit log" };

/**
 * Who sees what: each person sees the entries of the areas they manage. Owners see everything;
 * Manage Webhooks sees webhooks and OAuth credentials; Manage Roles sees roles, members and
 * invitations, and API keys (who holds which access). Nobody else opens the page.
 */
function visibleGroups(actor: Actor): AuditTargetGroup[] {
  if (actor.role.isOwner) return Object.keys(AUDIT_TARGET_GROUPS) as AuditTargetGroup[];
  const groups: AuditTargetGroup[] = [];
  if (can(actor, "webhooks.manage")) groups.push("webhooks", "oauth");
  if (can(actor, "roles.manage")) groups.push("roles", "members", "apiKeys");
  return groups;
}

type Search = { type?: string; after?: string; before?: string };

function hrefWith(search: Search, patch: Search): string {
  const params = new URLSearchParams();
  const next = { type: search.type, ...patch };
  for (const [key, value] of Object.entries(next)) if (value) params.set(key, value);
  return `/settings/audit${params.size ? `?${params}` : ""}`;
}

export default async function AuditLogPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requireActor();
  const groups = visibleGroups(actor);
  if (groups.length === 0) {
    return (
      <Forbidden
        area="the audit log"
        message={
          <>
            The audit log is open to owners and to roles holding <strong>Manage Webhooks</strong> or{" "}
            <strong>Manage Roles</strong>. Ask an owner of your company for access.
          </>
        }
      />
    );
  }

  const raw = await searchParams;
  const type =
    typeof raw.type === "string" && isAuditTargetGroup(raw.type) && groups.includes(raw.type) ? raw.type : undefined;
  const after = decodeCursor(raw.after);
  const before = after ? null : decodeCursor(raw.before);
  const targetTypes = (type ? [type] : groups).flatMap((g) => AUDIT_TARGET_GROUPS[g]);
  const page = await listAuditLog(getDb(), actor.companyId, { targetTypes, after, before });
  const search: Search = { type };
  const now = Date.now();

  return (
    <section aria-labelledby="audit-heading" className="space-y-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div className="space-y-1">
          <h2 id="audit-heading" className="text-lg font-semibold">
            Audit log
          </h2>
          <p className="text-muted-foreground max-w-2xl text-sm">
            Who changed what, and when — newest first. Owners see every entry; Manage Webhooks shows the entries about
            webhooks and OAuth credentials, Manage Roles those about roles, members and API keys.
          </p>
        </div>
        <AuditTypeFilter
          value={type ?? null}
          options={groups.map((g) => ({ value: g, label: AUDIT_GROUP_LABELS[g] }))}
        />
      </div>

      {page.entries.length === 0 ? (
        <EmptyState
          icon={ScrollTextIcon}
          title={after || before ? "No more entries" : "Nothing recorded yet"}
          description={
            type
              ? `No changes to ${AUDIT_GROUP_LABELS[type].toLowerCase()} have been recorded${after || before ? " beyond this point" : ""}.`
              : "Changes to webhooks, OAuth credentials, roles, members and API keys will be listed here as they happen."
          }
          action={
            after || before || type ? (
              <Button variant="outline" asChild>
                <Link href="/settings/audit">Show the newest entries</Link>
              </Button>
            ) : undefined
          }
        />
      ) : (
        <div className="rounded-xl border">
          <Table className="table-cards">
            <TableHeader>
              <TableRow>
                <TableHead>When</TableHead>
                <TableHead>Who</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Target</TableHead>
                <TableHead>Details</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {page.entries.map((entry) => (
                <TableRow key={entry.id} className="align-top">
                  <TableCell className="whitespace-nowrap" data-label="When">
                    <time dateTime={entry.createdAt.toISOString()} title={formatDateTime(entry.createdAt)}>
                      {formatRelative(entry.createdAt, now)}
                    </time>
                    <span className="sr-only"> ({formatDateTime(entry.createdAt)})</span>
                  </TableCell>
                  <TableCell data-label="Who" className="max-sm:text-right">
                    {entry.actor ? (
                      <>
                        <span className="block font-medium">{entry.actor.name}</span>
                        <span className="text-muted-foreground block text-xs">{entry.actor.email}</span>
                      </>
                    ) : (
                      // No user: an API key when the entry says so (details.apiKeyId / apiKeyName), else the system
                      // (a job) or a user since deleted (actor_user_id is set null with them).
                      <span className="text-muted-foreground">
                        {entry.details.apiKeyId || entry.details.apiKeyName ? "API key" : "System"}
                      </span>
                    )}
                  </TableCell>
                  <TableCell className="font-medium whitespace-nowrap">{auditActionLabel(entry.action)}</TableCell>
                  <TableCell className="max-w-48 break-words max-sm:text-right" data-label="Target">
                    {entry.targetName ?? <span className="text-muted-foreground">—</span>}
                  </TableCell>
                  <TableCell className="text-muted-foreground max-w-md text-sm whitespace-normal">
                    <AuditDetails entry={entry} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}

      <KeysetPager
        newerHref={page.newer ? hrefWith(search, { before: page.newer }) : null}
        olderHref={page.older ? hrefWith(search, { after: page.older }) : null}
        newerLabel="Newer"
        label="Audit log pages"
        className=""
      />
    </section>
  );
}
