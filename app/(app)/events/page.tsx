import type { Metadata } from "next";
import { ActivityIcon } from "lucide-react";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "Events" };

export default async function EventsPage() {
  const { allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.manage" area="Events" />;
  return (
    <>
      <PageHeader title="Events" description="What your systems posted to Hookrelay, and which webhooks each event matched." />
      <EmptyState icon={ActivityIcon} title="No events yet" description="Events arrive when your business app posts them to /api/v1/events with an API key." />
    </>
  );
}
