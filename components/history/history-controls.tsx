"use client";

import { useRouter } from "next/navigation";
import { useEffect, useTransition } from "react";
import { RotateCwIcon } from "lucide-react";
import { toast } from "sonner";
import { resendDeliveryAction } from "@/app/(app)/webhooks/actions";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";

/** Refreshes the server-rendered page every few seconds while something is still pending. */
export function AutoRefresh({ active, everyMs = 2500 }: { active: boolean; everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs, router]);
  if (!active) return null;
  return (
    <span className="text-muted-foreground inline-flex items-center gap-1.5 text-xs" role="status">
      <span className="relative flex size-2">
        <span className="absolute inline-flex size-full animate-ping rounded-full bg-sky-400 opacity-75" />
        <span className="relative inline-flex size-2 rounded-full bg-sky-500" />
      </span>
      Updating live
    </span>
  );
}

/** Resync: sends the delivery once more now, as a manual attempt (same webhook-id). */
export function ResendButton({
  deliveryId,
  label = "Resync",
  size = "sm",
  "aria-label": ariaLabel,
}: {
  deliveryId: string;
  label?: string;
  size?: "sm" | "default";
  "aria-label"?: string;
}) {
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <Button
      type="button"
      variant="outline"
      size={size}
      aria-label={ariaLabel}
      disabled={pending}
      aria-busy={pending || undefined}
      onClick={() =>
        start(async () => {
          const r = await resendDeliveryAction({ deliveryId });
          if (r.ok) {
            toast.success(r.message ?? "Queued to be sent again");
            router.refresh();
          } else toast.error(r.error);
        })
      }
    >
      {pending ? <Spinner className="size-4" /> : <RotateCwIcon aria-hidden />}
      {label}
    </Button>
  );
}
