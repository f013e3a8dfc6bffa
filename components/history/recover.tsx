"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { HistoryIcon } from "lucide-react";
import { toast } from "sonner";
import { recoverWebhookAction } from "@/app/(app)/webhooks/actions";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Spinner } from "@/components/ui/spinner";

/** A `datetime-local` value (local time, minutes) for a moment. */
function localInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * "Recover…": after a receiver outage, asks since when, then sends in the background every event of the
 * webhook's types since then that did not reach it — including those that arrived while it was off.
 */
export function RecoverButton({
  webhookId,
  active,
  suggestedSince,
  disabled,
}: {
  webhookId: string;
  active: boolean;
  /** When its deliveries started failing or it was switched off, if known. */
  suggestedSince: string | null;
  disabled?: boolean;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [since, setSince] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function openDialog() {
    const fallback = new Date(Date.now() - 24 * 3_600_000);
    setSince(localInput(suggestedSince ? new Date(suggestedSince) : fallback));
    setError(null);
    setOpen(true);
  }

  function confirm() {
    const at = new Date(since);
    if (!since || Number.isNaN(at.getTime())) return setError("Choose a date and time");
    if (at.getTime() > Date.now()) return setError("Choose a time in the past");
    start(async () => {
      const r = await recoverWebhookAction({ webhookId, since: at.toISOString() });
      if (r.ok) {
        toast.success(r.message ?? "Recovering");
        setOpen(false);
        router.refresh();
      } else setError(r.fieldErrors ? Object.values(r.fieldErrors)[0][0] : r.error);
    });
  }

  return (
    <>
      <Button type="button" variant="outline" onClick={openDialog} disabled={disabled}>
        <HistoryIcon aria-hidden /> Recover…
      </Button>
      <Dialog open={open} onOpenChange={(next) => (pending ? undefined : setOpen(next))}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Recover missed events</DialogTitle>
            <DialogDescription>
              Every event of this webhook&apos;s types since the time you choose that did not reach it is sent again in
              the background: failed and skipped deliveries once more, and events that arrived while it was switched off
              or auto-disabled for the first time (when their record meets its conditions). Test events are left out.
            </DialogDescription>
          </DialogHeader>
          {!active ? (
            <p className="text-destructive text-sm" role="alert">
              Switch the webhook on first: a switched-off webhook sends nothing.
            </p>
          ) : null}
          <div className="grid gap-2">
            <Label htmlFor="recover-since">Since</Label>
            <Input
              id="recover-since"
              type="datetime-local"
              value={since}
              max={localInput(new Date())}
              onChange={(e) => {
                setSince(e.target.value);
                setError(null);
              }}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? "recover-since-error" : "recover-since-hint"}
            />
            {error ? (
              <p id="recover-since-error" className="text-destructive text-sm">
                {error}
              </p>
            ) : (
              <p id="recover-since-hint" className="text-muted-foreground text-sm">
                Your local time. Suggested: when its deliveries started failing, or 24 hours ago.
              </p>
            )}
          </div>
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)} disabled={pending}>
              Cancel
            </Button>
            <Button type="button" onClick={confirm} disabled={pending || !active} aria-busy={pending || undefined}>
              {pending ? <Spinner className="size-4" /> : null}
              Recover
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
