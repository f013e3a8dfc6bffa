import type { Metadata } from "next";
import Link from "next/link";
import { CompassIcon } from "lucide-react";
import { StatusPage } from "@/components/app/status-page";
import { Button } from "@/components/ui/button";

export const metadata: Metadata = { title: "Page not found" };

/** Every address nothing answers (and every notFound()): Hookrelay's 404, with the way back. */
export default function NotFound() {
  return (
    <StatusPage
      icon={CompassIcon}
      code="404"
      title="This page does not exist"
      description={
        <p>
          The address may be mistyped, or what it pointed to — a webhook, a delivery, an event — was deleted or belongs
          to another company.
        </p>
      }
      actions={
        <>
          <Button asChild>
            <Link href="/dashboard">Go to the dashboard</Link>
          </Button>
          <Button variant="outline" asChild>
            <Link href="/webhooks">Webhooks</Link>
          </Button>
        </>
      }
    />
  );
}
