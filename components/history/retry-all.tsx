"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { ListRestartIcon } from "lucide-react";
import { toast } from "sonner";
import { retryFailedDeliveriesAction } from "@/app/(app)/webhooks/actions";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { plural } from "@/lib/format";
import type { RETRY_PERIODS } from "@/lib/validations/listing";

type Period = (typeof RETRY_PERIODS)[number];
const LABELS: Record<Period, string> = {
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  all: "All time",
};

/** "Retry all failed": asks for the period (and whether to replay skipped deliveries), then queues the job. */
export function RetryAllButton({
  webhookId,
  period,
  failed,
  disabledReason,
}: {
  webhookId: string;
  period: Period;
  failed: number;
  /** Why there is nothing to start (nothing failed, or a retry is under way): the button is disabled and says so. */
  disabledReason?: string | null;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<Period>(period);
  const [includeSkipped, setIncludeSkipped] = useState(false);
  const [pending, start] = useTransition();

  function confirm() {
    start(async () => {
      const r = await retryFailedDeliveriesAction({ webhookId, period: chosen, includeSkipped });
      if (r.ok) {
        toast.success(r.message ?? "Retrying");
        setOpen(false);
        router.refresh();
      } else toast.error(r.error);
    });
  }

  return (
    <>
      <Button
        type="button"
        variant="outline"
        onClick={() => setOpen(true)}
        disabled={Boolean(disabledReason)}
        title={disabledReason ?? undefined}
        aria-describedby={disabledReason ? "retry-all-reason" : undefined}
      >
        <ListRestartIcon aria-hidden /> Retry all failed
      </Button>
      {disabledReason ? (
        <span id="retry-all-reason" className="sr-only">
          {disabledReason}
        </span>
      ) : null}
      <Dialog open={open} onOpenChange={(next) => (pending ? undefined : setOpen(next))}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Retry all failed deliveries?</DialogTitle>
            <DialogDescription>
              Each failed delivery of the period is sent once more, in the background, as a manual attempt in your name.{" "}
              {failed > 0 ? `${plural(failed, "delivery", "deliveries")} failed in the period shown.` : ""}
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-4">
            <div className="grid gap-2">
              <Label htmlFor="retry-period">Deliveries from</Label>
              <Select value={chosen} onValueChange={(v) => setChosen(v as Period)}>
                <SelectTrigger id="retry-period" className="w-full">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  {(Object.keys(LABELS) as Period[]).map((p) => (
                    <SelectItem key={p} value={p}>
                      {LABELS[p]}
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
            </div>
            <div className="flex items-start gap-2">
              <Checkbox
                id="include-skipped"
                checked={includeSkipped}
                onCheckedChange={(v) => setIncludeSkipped(v === true)}
              />
              <Label htmlFor="include-skipped" className="leading-snug font-normal">
                Also replay deliveries skipped while the webhook was switched off
              </Label>
            </div>
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="button" onClick={confirm} disabled={pending} aria-busy={pending || undefined}>
              {pending ? <Spinner className="size-4" /> : null}
              Retry deliveries
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
