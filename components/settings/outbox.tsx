"use client";

import { useTransition } from "react";
import { RotateCwIcon } from "lucide-react";
import { toast } from "sonner";
import { resendEmailAction } from "@/app/(app)/settings/outbox/actions";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { emailTextParts } from "@/lib/email-text";
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

/** The email's text as an email reads: its lines, with web and email addresses as links (masked links stay text). */
export function EmailBody({ text }: { text: string }) {
  return (
    <article
      aria-label="Email text"
      data-testid="email-text"
      tabIndex={0}
      className="focus-visible:ring-ring/50 outline-none focus-visible:ring-[3px] bg-muted/40 max-h-[60vh] overflow-auto rounded-md border p-4 text-sm leading-relaxed break-words whitespace-pre-wrap"
    >
      {emailTextParts(text).map((part, i) =>
        part.kind === "text" ? (
          part.value
        ) : (
          <a
            key={i}
            href={part.href}
            {...(part.kind === "url" ? { target: "_blank", rel: "noopener noreferrer" } : {})}
            className="text-primary break-all underline underline-offset-4"
          >
            {part.value}
          </a>
        ),
      )}
    </article>
  );
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
        <EmailBody text={email.text} />
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
