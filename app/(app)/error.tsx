"use client";

import { useEffect } from "react";
import Link from "next/link";
import { RotateCwIcon, TriangleAlertIcon } from "lucide-react";
import { StatusPage } from "@/components/app/status-page";
import { Button } from "@/components/ui/button";

/**
 * What a signed-in page shows when loading it failed (the database away, a bug): inside the app shell, with Try again
 * (re-renders the page) and the error's reference, which the server's log carries too. Nothing of the error's text
 * reaches the browser in production.
 */
export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <StatusPage
      framed={false}
      icon={TriangleAlertIcon}
      code="Error"
      title="This page could not be loaded"
      description={
        <>
          <p>Something went wrong on our side. Nothing you saved is lost; try again in a moment.</p>
          {error.digest ? (
            <p className="mt-2">
              Reference for whoever runs Hookrelay: <code className="text-foreground">{error.digest}</code>
            </p>
          ) : null}
        </>
      }
      actions={
        <>
          <Button onClick={reset}>
            <RotateCwIcon aria-hidden />
            Try again
          </Button>
          <Button variant="outline" asChild>
            <Link href="/dashboard">Go to the dashboard</Link>
          </Button>
        </>
      }
    />
  );
}
