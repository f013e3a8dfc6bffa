"use client";

import { useTransition } from "react";
import { RotateCwIcon } from "lucide-react";
import { toast } from "sonner";
import { resendEmailAction } from "@/app/(app)/settings/outbox/actions";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";

export interface OutboxEmail {
  toEmail: string;
  subject: string;
  kind: string;
  status: string;
  createdAt: string;
  error: string | null;
  /** The plain-text part only: the HTML part is never rendered here. */
  text: string;
}

export function ViewEmailButton({ email }: { email: OutboxEmail }) {
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          View
          <span className="sr-only">
            {" "}
            email to {email.toEmail}: {email.subject}
          </span>
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle className="leading-snug">{email.subject}</DialogTitle>
          <DialogDescription>
            To {email.toEmail} · {email.kind} · {email.status} · {email.createdAt}
          </DialogDescription>
        </DialogHeader>
        {email.error ? <p className="text-destructive text-sm">Error: {email.error}</p> : null}
        <pre
          tabIndex={0}
          className="focus-visible:ring-ring/50 outline-none focus-visible:ring-[3px] bg-muted max-h-[60vh] overflow-auto rounded-md p-4 font-mono text-xs whitespace-pre-wrap break-words"
        >
          {email.text}
        </pre>
      </DialogContent>
    </Dialog>
  );
}

/** Sends an outbox email again (back to queued, a new send job); no confirmation, a pending state and a toast. */
export function ResendEmailButton({
  notificationId,
  toEmail,
  subject,
}: {
  notificationId: string;
  toEmail: string;
  subject: string;
}) {
  const [pending, startTransition] = useTransition();
  function resend() {
    startTransition(async () => {
      const result = await resendEmailAction({ notificationId });
      if (result.ok) toast.success(result.message ?? "Email queued to be sent again");
      else toast.error(result.error);
    });
  }
  return (
    <Button
      type="button"
      variant="ghost"
      size="sm"
      onClick={resend}
      disabled={pending}
      aria-busy={pending || undefined}
    >
      {pending ? <Spinner className="size-4" /> : <RotateCwIcon aria-hidden />}
      Resend
      <span className="sr-only">
        {" "}
        email to {toEmail}: {subject}
      </span>
    </Button>
  );
}
