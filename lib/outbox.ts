import type { PgBoss } from "pg-boss";
import type { DbOrTx, Tx } from "@/db";
import { insertNotification, listOutbox } from "@/db/queries/notifications";
import { companyGroup, enqueue, sendEmail } from "@/jobs/definitions";
import { holdsAll, type Actor } from "@/lib/authz";
import type { RenderedEmail } from "@/lib/email";
import { withoutSettingNames } from "@/lib/email-text";

/**
 * What Settings → Email outbox may show (issue 13 item 1). A link that opens something — an
 * invitation or any other one-time link — lives only in its recipient's mailbox: the outbox shows it
 * masked. An invitation email is listed (and can be resent) only for someone who could have issued
 * that invitation: into the Owner role only for owners, into another role only for someone who holds
 * all of its permissions. An invitation whose role cannot be told any more is left to owners.
 */

/**
 * Records an email in the outbox and queues its sending (send-email, jobs/send-email.ts) in the
 * caller's transaction: either both happen or neither does, so an email is never lost between the two.
 * The job is in the company's group: one company's burst of emails never holds up another's.
 */
export async function enqueueEmail(
  tx: Tx,
  boss: PgBoss,
  input: { companyId: string; kind: string; refId?: string | null; toEmail: string; email: RenderedEmail },
) {
  const row = await insertNotification(tx, {
    companyId: input.companyId,
    kind: input.kind,
    refId: input.refId ?? null,
    toEmail: input.toEmail,
    subject: input.email.subject,
    html: input.email.html,
    text: input.email.text,
  });
  await enqueue(boss, tx, sendEmail, { notificationId: row.id }, companyGroup(input.companyId));
  return row;
}

/** One-time links in an email's text, with their token masked. */
export function maskOneTimeLinks(text: string): string {
  return text.replace(
    /(\/(?:invite|reset-password|reset)\/)[A-Za-z0-9_\-.~%]{6,}/g,
    "$1•••••••• (the link is in the recipient's mailbox only)",
  );
}

/** Whether `actor` could have issued an invitation into a role like this one. */
export function couldInvite(actor: Actor, role: { isOwner: boolean; permissions: string[] } | null): boolean {
  if (actor.role.isOwner) return true;
  if (!role || role.isOwner) return false;
  return holdsAll(actor, role.permissions);
}

export async function loadOutbox(db: DbOrTx, actor: Actor, limit = 100) {
  const rows = await listOutbox(db, actor.companyId, limit);
  return rows
    .filter(({ notification, inviteRole }) => {
      if (notification.kind !== "invitation") return true;
      const role =
        inviteRole && inviteRole.isOwner !== null
          ? { isOwner: inviteRole.isOwner, permissions: inviteRole.permissions ?? [] }
          : null;
      return couldInvite(actor, role);
    })
    .map(({ notification: n }) => ({
      ...n,
      text: maskOneTimeLinks(n.text),
      html: maskOneTimeLinks(n.html),
      // A provider's error may name the server's settings; members read what happened, not the configuration.
      error: n.error === null ? null : withoutSettingNames(n.error),
    }));
}
