import type { Metadata } from "next";
import Link from "next/link";
import { ChevronLeftIcon } from "lucide-react";
import { getDb } from "@/db";
import { listOAuthCredentials } from "@/db/queries/webhooks";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { WebhookForm } from "@/components/webhooks/webhook-form";
import { eventTypeOptionsFor } from "@/lib/events/company-catalog";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "New webhook" };

export default async function NewWebhookPage() {
  const { actor, allowed } = await pageAccess("webhooks.manage");
  if (!allowed) return <Forbidden permission="webhooks.manage" area="Webhooks" />;
  const credentials = await listOAuthCredentials(getDb(), actor.companyId);
  return (
    <>
      <Link
        href="/webhooks"
        className="text-muted-foreground hover:text-foreground mb-3 inline-flex items-center gap-1 text-sm"
      >
        <ChevronLeftIcon className="size-4" aria-hidden /> Webhooks
      </Link>
      <PageHeader
        title="New webhook"
        description="Choose the event, where to send it and how. Test it with a sample record before you switch it on."
      />
      <WebhookForm
        mode="create"
        defaults={{
          name: "",
          description: "",
          active: false,
          eventTypes: [],
          triggerMode: "every",
          conditions: { match: "all", rules: [] },
          method: "POST",
          url: "",
          includeEntityParams: false,
          eventNaming: "hookrelay",
          headers: [],
          auth: { type: "none" },
          body: { mode: "raw", encoding: "json" },
          delaySeconds: 0,
          retryPolicy: { type: "preset", preset: "standard" },
          timeoutSeconds: 15,
          batchWindowSeconds: 0,
          maxConcurrency: 10,
          notifyOnFailure: true,
        }}
        savedSecrets={{ basic: false, apiKey: false, bearer: false, headers: [], constants: [] }}
        eventTypes={await eventTypeOptionsFor(getDb(), actor.companyId)}
        credentials={credentials.map((c) => ({ id: c.id, name: c.name }))}
        canManage
      />
    </>
  );
}
