import type { Metadata } from "next";
import { InboxIcon, InfoIcon } from "lucide-react";
import { getDb } from "@/db";
import { loadOutbox } from "@/lib/outbox";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { ResendEmailButton, ViewEmailButton } from "@/components/settings/outbox";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import { requireActor } from "@/lib/session";
import { can } from "@/lib/authz";
import { cn } from "@/lib/utils";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Email outbox" };

const LIMIT = 100;

const STATUS_STYLES: Record<string, string> = {
  queued: "bg-amber-100 text-amber-900 dark:bg-amber-900/40 dark:text-amber-200",
  sent: "bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300",
  failed: "bg-destructive/15 text-destructive",
  recorded: "bg-sky-100 text-sky-900 dark:bg-sky-900/40 dark:text-sky-200",
};

/** Manage Company: the outbox holds other people's addresses (links that let someone in are masked). */
export default async function OutboxPage() {
  const actor = await requireActor();
  if (!can(actor, "company.manage")) return <Forbidden permission="company.manage" area="the email outbox" />;

  // One-time links masked; invitations only for whoever could have issued them (lib/outbox.ts).
  const emails = await loadOutbox(getDb(), actor, LIMIT);
  const sending = Boolean(env.RESEND_API_KEY);

  return (
    <section aria-labelledby="outbox-heading" className="space-y-4">
      <div className="space-y-1">
        <h2 id="outbox-heading" className="text-lg font-semibold">
          Email outbox
        </h2>
        <p className="text-muted-foreground text-sm">
          Every email Hookrelay sends for your company — invitations, failure alerts — newest first (the latest {LIMIT}
          ).
        </p>
      </div>

      <Alert>
        <InfoIcon aria-hidden />
        <AlertTitle>{sending ? "Emails are sent through Resend" : "Emails are recorded, not sent"}</AlertTitle>
        <AlertDescription>
          <p>
            Every email Hookrelay sends is listed here; links that let someone in (invitations) are masked — they live
            only in the recipient&apos;s mailbox.
            {sending
              ? " Emails are delivered through Resend; failures show their error below, and Resend sends an email once more."
              : " Emails are not being delivered yet: until email sending is set up, the server's log holds each email's text, links included, for whoever runs the server."}
          </p>
        </AlertDescription>
      </Alert>

      {emails.length === 0 ? (
        <EmptyState
          icon={InboxIcon}
          title="No emails yet"
          description="Invitations and failure alerts will appear here as soon as Hookrelay sends them."
        />
      ) : (
        <div className="rounded-xl border">
          <Table className="table-cards">
            <TableHeader>
              <TableRow>
                <TableHead>To</TableHead>
                <TableHead>Subject</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>Error</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {emails.map((email) => {
                const createdAt = formatDateTime(email.createdAt);
                return (
                  <TableRow key={email.id}>
                    <TableCell className="font-medium break-words">
                      <a href={`mailto:${email.toEmail}`} className="underline-offset-4 hover:underline">
                        {email.toEmail}
                      </a>
                    </TableCell>
                    <TableCell className="max-w-72 truncate" title={email.subject}>
                      {email.subject}
                    </TableCell>
                    <TableCell data-label="Kind">
                      <code className="text-xs">{email.kind}</code>
                    </TableCell>
                    <TableCell data-label="Status">
                      <Badge
                        variant="outline"
                        className={cn("border-transparent capitalize", STATUS_STYLES[email.status])}
                      >
                        {email.status}
                      </Badge>
                    </TableCell>
                    <TableCell data-label="Created">
                      <time dateTime={email.createdAt.toISOString()}>{createdAt}</time>
                    </TableCell>
                    <TableCell
                      className="text-destructive max-w-56 truncate text-xs"
                      title={email.error ?? undefined}
                      data-label="Error"
                    >
                      {email.error ?? <span className="text-muted-foreground">—</span>}
                    </TableCell>
                    <TableCell className="space-x-1 text-right whitespace-nowrap" data-card="actions">
                      {/* Without a key an email can only be recorded again; a queued one is on its way. */}
                      {sending && email.status !== "queued" ? (
                        <ResendEmailButton notificationId={email.id} toEmail={email.toEmail} subject={email.subject} />
                      ) : null}
                      <ViewEmailButton
                        email={{
                          toEmail: email.toEmail,
                          subject: email.subject,
                          kind: email.kind,
                          status: email.status,
                          createdAt,
                          error: email.error,
                          text: email.text,
                        }}
                      />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}
