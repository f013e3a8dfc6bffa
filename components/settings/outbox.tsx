"use client";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";

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
          View<span className="sr-only"> email to {email.toEmail}: {email.subject}</span>
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
        <pre className="bg-muted max-h-[60vh] overflow-auto rounded-md p-4 font-mono text-xs whitespace-pre-wrap break-words">{email.text}</pre>
      </DialogContent>
    </Dialog>
  );
}
