import { Badge } from "@/components/ui/badge";
import { statusMeaning } from "@/lib/delivery/status-meaning";
import { deliveryStatusLabel } from "@/lib/history";

const TONE: Record<string, string> = {
  success:
    "border-emerald-200 bg-emerald-50 text-emerald-700 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-300",
  failed: "border-red-200 bg-red-50 text-red-700 dark:border-red-900 dark:bg-red-950 dark:text-red-300",
  queued: "border-amber-200 bg-amber-50 text-amber-800 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-300",
  dispatched: "border-sky-200 bg-sky-50 text-sky-700 dark:border-sky-900 dark:bg-sky-950 dark:text-sky-300",
  skipped: "border-zinc-200 bg-zinc-50 text-zinc-600 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-300",
};

/**
 * An outcome as a coloured status with the HTTP code, its plain-words meaning on hover: a webhook's last delivery, or
 * one delivery. Given a delivery's `attempts`, a queued one not attempted yet says "Queued", not "Retrying".
 */
export function LastStatusBadge({
  status,
  code,
  attempts,
}: {
  status: string | null;
  code: number | null;
  attempts?: number;
}) {
  if (!status) return <span className="text-muted-foreground text-sm">—</span>;
  return (
    <Badge variant="outline" className={TONE[status] ?? ""} title={code ? statusMeaning(code) : undefined}>
      {deliveryStatusLabel(status, attempts)}
      {code ? <span className="font-mono">{code}</span> : null}
    </Badge>
  );
}
