import type { Metadata } from "next";
import { WebhookIcon } from "lucide-react";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const { allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.manage" area="Webhooks" />;
  return (
    <>
      <PageHeader title="Webhooks" description="Send your records to other systems the moment something happens." />
      <EmptyState
        icon={WebhookIcon}
        title="No webhooks yet"
        description="A webhook sends an HTTP request to a URL you choose when an event happens — a deal is won, a contact is created."
      />
    </>
  );
}
