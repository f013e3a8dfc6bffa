"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition, type MouseEvent } from "react";
import { ArchiveIcon, ArchiveRestoreIcon, MoreHorizontalIcon, PencilIcon, Trash2Icon } from "lucide-react";
import { toast } from "sonner";
import { deleteEventTypeAction, deprecateEventTypeAction } from "@/app/(app)/event-types/actions";
import { Alert, AlertDescription } from "@/components/ui/alert";
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
import { EventTypeDialog, type CompanyEventTypeRow } from "./event-type-dialog";

/**
 * Edit, Deprecate / Restore and Delete for one of the company's types. Delete asks first; a type that
 * webhooks still listen to is refused by the server (409), and the dialog then says why and offers to
 * deprecate it instead.
 */
export function EventTypeRowActions({ row }: { row: CompanyEventTypeRow }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function setDeprecated(deprecated: boolean, after?: () => void) {
    startTransition(async () => {
      const result = await deprecateEventTypeAction({ type: row.type, deprecated });
      if (result.ok) {
        toast.success(result.message ?? (deprecated ? "Deprecated" : "Restored"));
        after?.();
        router.refresh();
      } else toast.error(result.error);
    });
  }

  function remove(event: MouseEvent) {
    // Keep the dialog open until the server has answered.
    event.preventDefault();
    startTransition(async () => {
      const result = await deleteEventTypeAction({ type: row.type });
      if (result.ok) {
        toast.success(result.message ?? "Deleted");
        setConfirming(false);
        router.refresh();
      } else if (result.code === "conflict") setRefusal(result.error);
      else toast.error(result.error);
    });
  }

  function openDelete() {
    setRefusal(null);
    setConfirming(true);
  }

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" aria-label={`Actions for ${row.type}`} disabled={pending}>
            {pending ? <Spinner className="size-4" /> : <MoreHorizontalIcon aria-hidden />}
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="w-44">
          <DropdownMenuItem onSelect={() => setEditing(true)}>
            <PencilIcon aria-hidden />
            Edit
          </DropdownMenuItem>
          {row.deprecated ? (
            <DropdownMenuItem onSelect={() => setDeprecated(false)}>
              <ArchiveRestoreIcon aria-hidden />
              Restore
            </DropdownMenuItem>
          ) : (
            <DropdownMenuItem onSelect={() => setDeprecated(true)}>
              <ArchiveIcon aria-hidden />
              Deprecate
            </DropdownMenuItem>
          )}
          <DropdownMenuSeparator />
          <DropdownMenuItem variant="destructive" onSelect={openDelete}>
            <Trash2Icon aria-hidden />
            Delete
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <EventTypeDialog row={row} open={editing} onOpenChange={setEditing} />
      <AlertDialog open={confirming} onOpenChange={(next) => (pending ? undefined : setConfirming(next))}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete {row.type}?</AlertDialogTitle>
            <AlertDialogDescription>
              Events of this type will be refused by <code className="font-mono text-xs">POST /api/v1/events</code> from
              then on. The events already received stay in the history. To stop offering it to new webhooks but keep
              accepting its events, deprecate it instead.
            </AlertDialogDescription>
          </AlertDialogHeader>
          {refusal ? (
            <Alert variant="destructive">
              <AlertDescription className="break-words">{refusal}</AlertDescription>
            </Alert>
          ) : null}
          <AlertDialogFooter>
            <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
            {refusal && !row.deprecated ? (
              <Button
                variant="outline"
                disabled={pending}
                onClick={() => setDeprecated(true, () => setConfirming(false))}
              >
                <ArchiveIcon aria-hidden />
                Deprecate instead
              </Button>
            ) : null}
            <AlertDialogAction
              variant="destructive"
              onClick={remove}
              disabled={pending || refusal !== null}
              aria-busy={pending || undefined}
            >
              {pending ? <Spinner className="size-4" /> : null}
              Delete event type
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}
