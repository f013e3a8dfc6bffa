import type { Metadata } from "next";
import { KeyRoundIcon } from "lucide-react";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "OAuth credentials" };

export default async function OAuthPage() {
  const { allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.manage" area="OAuth credentials" />;
  return (
    <>
      <PageHeader title="OAuth credentials" description="Tokens Hookrelay fetches and refreshes for webhooks whose receivers need OAuth." />
      <EmptyState icon={KeyRoundIcon} title="No OAuth credentials yet" description="An OAuth credential holds a token URL and its parameters; webhooks use it to send a Bearer token." />
    </>
  );
}
