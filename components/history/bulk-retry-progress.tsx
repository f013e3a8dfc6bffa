import { CircleCheckIcon, ListRestartIcon, TriangleAlertIcon } from "lucide-react";
import type { BulkRetryProgress as Progress } from "@/lib/history";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

/** The progress of "Retry all failed": re-queued n of total, then done. */
export function BulkRetryProgress({ bulk }: { bulk: Progress }) {
  const total = bulk.total ?? 0;
  const percent = total > 0 ? Math.round((bulk.done / total) * 100) : bulk.state === "completed" ? 100 : 0;
  const what = bulk.statuses.includes("skipped") ? "failed and skipped deliveries" : "failed deliveries";
  const title =
    bulk.state === "completed"
      ? `Re-queued ${bulk.done.toLocaleString("en")} ${what}`
      : bulk.state === "failed"
        ? "Retrying stopped"
        : bulk.total === null
          ? `Finding the ${what}…`
          : `Re-queueing ${what}: ${bulk.done.toLocaleString("en")} of ${total.toLocaleString("en")}`;
  const Icon =
    bulk.state === "completed" ? CircleCheckIcon : bulk.state === "failed" ? TriangleAlertIcon : ListRestartIcon;
  return (
    <Alert className="mb-6" variant={bulk.state === "failed" ? "destructive" : "default"}>
      <Icon aria-hidden />
      <AlertTitle data-testid="bulk-retry-status">{title}</AlertTitle>
      <AlertDescription>
        <div
          className="bg-muted mt-2 h-2 w-full overflow-hidden rounded-full"
          role="progressbar"
          aria-label="Retry progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
        >
          <div className="bg-primary h-full transition-all" style={{ width: `${percent}%` }} />
        </div>
        {bulk.state === "completed" ? (
          <p className="mt-1">They are being sent now; the list below updates as they finish.</p>
        ) : null}
        {bulk.error ? <p className="mt-1">{bulk.error}</p> : null}
      </AlertDescription>
    </Alert>
  );
}
