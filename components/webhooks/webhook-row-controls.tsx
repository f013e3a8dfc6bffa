"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useOptimistic, useState, useTransition } from "react";
import { CopyIcon, HistoryIcon, MoreHorizontalIcon, PencilIcon, Trash2Icon } from "lucide-react";
import { toast } from "sonner";
import { deleteWebhookAction, duplicateWebhookAction, setWebhookActiveAction } from "@/app/(app)/webhooks/actions";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Spinner } from "@/components/ui/spinner";
import { Switch } from "@/components/ui/switch";

/** The listing's on/off switch: flips at once (optimistic), shows a spinner while saving, reverts on error. */
export function ActiveToggle({
  webhookId,
  name,
  active,
  disabled,
}: {
  webhookId: string;
  name: string;
  active: boolean;
  disabled?: boolean;
}) {
  const [pending, startTransition] = useTransition();
  const [optimistic, setOptimistic] = useOptimistic(active);
  const router = useRouter();
  return (
    <div className="flex items-center gap-2">
      <Switch
        checked={optimistic}
        disabled={disabled || pending}
        aria-label={`${name} active`}
        onCheckedChange={(next) =>
          startTransition(async () => {
            setOptimistic(next);
            const result = await setWebhookActiveAction({ webhookId, active: next });
            if (result.ok) {
              toast.success(result.message ?? (next ? "Switched on" : "Switched off"));
              router.refresh();
            } else toast.error(result.error);
          })
        }
      />
      {pending ? <Spinner className="text-muted-foreground size-3.5" aria-label="Saving" /> : null}
    </div>
  );
}

/** Edit, history, duplicate and delete (with confirmation) for one row. */
export function WebhookRowActions({
  webhookId,
  name,
  canManage,
}: {
  webhookId: string;
  name: string;
  canManage: boolean;
}) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();

  function duplicate() {
    startTransition(async () => {
      const result = await duplicateWebhookAction({ webhookId });
      if (result.ok) {
        toast.success(result.message ?? "Duplicated");
        router.refresh();
      } else toast.error(result.error);
    });
  }

  function remove(event: React.MouseEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await deleteWebhookAction({ webhookId });
      if (result.ok) {
        toast.success(result.message ?? "Deleted");
        setConfirming(false);
        router.refresh();
      } else toast.error(result.error);
    });
  }

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" aria-label={`Actions for ${name}`} disabled={pending}>
            {pending ? <Spinner className="size-4" /> : <MoreHorizontalIcon aria-hidden />}
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-44">
          <DropdownMenuItem asChild>
            <Link href={`/webhooks/${webhookId}`}>
              <PencilIcon aria-hidden />
              {canManage ? "Edit" : "View"}
            </Link>
          </DropdownMenuItem>
          <DropdownMenuItem asChild>
            <Link href={`/webhooks/${webhookId}/history`}>
              <HistoryIcon aria-hidden />
              History
            </Link>
          </DropdownMenuItem>
          {canManage ? (
            <>
              <DropdownMenuItem onSelect={duplicate}>
                <CopyIcon aria-hidden />
                Duplicate
              </DropdownMenuItem>
              <DropdownMenuSeparator />
              <DropdownMenuItem variant="destructive" onSelect={() => setConfirming(true)}>
                <Trash2Icon aria-hidden />
                Delete
              </DropdownMenuItem>
            </>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>
      <AlertDialog open={confirming} onOpenChange={(next) => (pending ? undefined : setConfirming(next))}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete {name}?</AlertDialogTitle>
            <AlertDialogDescription>
              The webhook stops at once and its delivery history is deleted with it. To pause it instead, switch it off.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
            <AlertDialogAction
              variant="destructive"
              onClick={remove}
              disabled={pending}
              aria-busy={pending || undefined}
            >
              {pending ? <Spinner className="size-4" /> : null}
              Delete webhook
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
