"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { PowerIcon, TriangleAlertIcon } from "lucide-react";
import { toast } from "sonner";
import { setWebhookActiveAction } from "@/app/(app)/webhooks/actions";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";

/** Why the webhook was switched off automatically, with a button to switch it back on (Manage Webhooks). */
export function SwitchedOffAlert({
  reason,
  webhookId,
  onSwitchedOn,
}: {
  reason: string;
  webhookId?: string;
  onSwitchedOn?: () => void;
}) {
  return (
    <Alert variant="destructive" className="mb-6">
      <TriangleAlertIcon aria-hidden />
      <AlertTitle>Switched off automatically</AlertTitle>
      <AlertDescription>
        <p>{reason}</p>
        {onSwitchedOn && webhookId ? <SwitchBackOn webhookId={webhookId} onDone={onSwitchedOn} /> : null}
      </AlertDescription>
    </Alert>
  );
}

function SwitchBackOn({ webhookId, onDone }: { webhookId: string; onDone: () => void }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <Button
      type="button"
      size="sm"
      variant="outline"
      className="mt-2"
      disabled={pending}
      onClick={() =>
        start(async () => {
          const r = await setWebhookActiveAction({ webhookId, active: true });
          if (r.ok) {
            toast.success(r.message ?? "Switched on");
            onDone();
            router.refresh();
          } else toast.error(r.error);
        })
      }
    >
      {pending ? <Spinner className="size-4" /> : <PowerIcon aria-hidden />}
      Switch back on
    </Button>
  );
}
