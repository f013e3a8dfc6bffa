import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ChevronLeftIcon, HistoryIcon } from "lucide-react";
import { getDb } from "@/db";
import { getCompanyWebhook, getWebhookCreator, listOAuthCredentials } from "@/db/queries/webhooks";
import { webhooksNeedingReconnect } from "@/db/queries/oauth";
import { ReconnectAlert } from "@/components/oauth/reconnect-badge";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { WebhookForm } from "@/components/webhooks/webhook-form";
import { Button } from "@/components/ui/button";
import { can } from "@/lib/authz";
import { eventTypeOptionsFor } from "@/lib/events/company-catalog";
import { formatDateTime } from "@/lib/format";
import { pageAccess } from "@/lib/session";
import { webhookFormView } from "@/lib/actions/webhook-reads";
import { isUuid } from "@/db/keyset";

export const metadata: Metadata = { title: "Edit webhook" };

/** Only the public config reaches the browser (secret headers and constants blank): which secrets are saved, never
 * their values. */
export default async function EditWebhookPage({ params }: { params: Promise<{ id: string }> }) {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="Webhooks" />;
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const db = getDb();
  const row = await getCompanyWebhook(db, actor.companyId, id);
  if (!row) notFound();
  const [credentials, creator, needingReconnect] = await Promise.all([
    listOAuthCredentials(db, actor.companyId),
    getWebhookCreator(db, row.createdBy),
    webhooksNeedingReconnect(db, actor.companyId, row.id),
  ]);
  const reconnect = needingReconnect.get(row.id);
  const view = webhookFormView(row);
  const canManage = can(actor, "webhooks.manage");
  return (
    <>
      <Link
        href="/webhooks"
        className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm"
      >
        <ChevronLeftIcon className="size-4" aria-hidden /> Webhooks
      </Link>
      <PageHeader
        title={row.name}
        description={`Created ${formatDateTime(row.createdAt)}${creator ? ` by ${creator.name}` : ""} · last changed ${formatDateTime(row.updatedAt)}`}
        actions={
          <Button variant="outline" asChild>
            <Link href={`/webhooks/${row.id}/history`}>
              <HistoryIcon aria-hidden /> History
            </Link>
          </Button>
        }
      />
      {reconnect ? <ReconnectAlert reconnect={reconnect} /> : null}
      <WebhookForm
        key={row.updatedAt.toISOString()}
        mode="edit"
        webhookId={row.id}
        defaults={view.defaults}
        savedSecrets={view.savedSecrets}
        eventTypes={await eventTypeOptionsFor(getDb(), actor.companyId, row.eventTypes)}
        credentials={credentials.map((c) => ({ id: c.id, name: c.name }))}
        canManage={canManage}
        signing={{
          previousValidUntil:
            row.previousSecretExpiresAt && row.previousSigningSecretEncrypted
              ? row.previousSecretExpiresAt.toISOString()
              : null,
        }}
        disabledReason={row.disabledReason}
      />
    </>
  );
}
