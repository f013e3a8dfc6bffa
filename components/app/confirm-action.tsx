"use client";

import { useState, useTransition, type ComponentProps, type MouseEvent, type ReactNode } from "react";
import { toast } from "sonner";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import type { ActionResult } from "@/lib/action";

/**
 * A button that asks for confirmation in an AlertDialog, then runs a server action with a pending
 * state. The dialog stays open (and says why) when the action fails.
 */
export function ConfirmAction({
  children,
  title,
  description,
  confirmLabel,
  action,
  successMessage,
  confirmDisabled = false,
  triggerProps,
}: {
  /** The trigger button's content. */
  children: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  action: () => Promise<ActionResult<unknown>>;
  successMessage?: string;
  confirmDisabled?: boolean;
  triggerProps?: Omit<ComponentProps<typeof Button>, "children" | "asChild">;
}) {
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();

  function confirm(event: MouseEvent) {
    // Keep the dialog open until the action has answered.
    event.preventDefault();
    startTransition(async () => {
      const result = await action();
      if (result.ok) {
        toast.success(result.message ?? successMessage ?? "Done");
        setOpen(false);
      } else {
        toast.error(result.error);
      }
    });
  }

  return (
    <AlertDialog open={open} onOpenChange={(next) => (pending ? undefined : setOpen(next))}>
      <AlertDialogTrigger asChild>
        <Button
          variant="ghost"
          size="sm"
          {...triggerProps}
          disabled={pending || triggerProps?.disabled}
          aria-busy={pending || undefined}
        >
          {children}
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription asChild>
            <div>{description}</div>
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <AlertDialogAction
            variant="destructive"
            onClick={confirm}
            disabled={pending || confirmDisabled}
            aria-busy={pending || undefined}
          >
            {pending ? <Spinner className="size-4" /> : null}
            {confirmLabel}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
