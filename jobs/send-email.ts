import { Resend } from "resend";
import type { Database } from "@/db";
import { getNotification, markNotification } from "@/db/queries/notifications";
import type { RenderedEmail } from "@/lib/email";
import { env } from "@/lib/env";
import type { SendEmailJob } from "./definitions/send-email";
import { log } from "@/lib/log";

/**
 * Sends one outbox email through Resend. Without RESEND_API_KEY the email stays in the outbox as
 * "recorded" and its text goes to the server's log (the outbox masks one-time links). A provider
 * error is stored and rethrown so pg-boss retries; the last error stays visible in the outbox.
 */
export async function sendEmailJob(db: Database, job: SendEmailJob): Promise<void> {
  const row = await getNotification(db, job.notificationId);
  if (!row || row.status === "sent") return;
  const apiKey = env.RESEND_API_KEY;
  if (!apiKey) {
    // Nobody can read a working link in the outbox (it is masked there): until sending is set up,
    // whoever runs the server finds the email, links included, in this process's log.
    log.info(
      { job: "send-email", notificationId: row.id },
      `RESEND_API_KEY is unset: the email to ${row.toEmail} ("${row.subject}") is recorded, not sent. Its text:\n${row.text}`,
    );
    await markNotification(db, row.id, { status: "recorded", attempts: row.attempts + 1 });
    return;
  }
  const { data, error } = await sendThroughResend(apiKey, row.toEmail, row);
  if (error || !data) {
    const message = error ? `${error.name}: ${error.message}` : "Resend returned no id";
    await markNotification(db, row.id, { status: "failed", error: message, attempts: row.attempts + 1 });
    throw new Error(message);
  }
  await markNotification(db, row.id, { status: "sent", providerId: data.id, error: null, attempts: row.attempts + 1 });
}

/** One email through Resend (RESEND_BASE_URL points the SDK elsewhere, e.g. a local stand-in). */
export async function sendThroughResend(apiKey: string, to: string, email: RenderedEmail) {
  const resend = new Resend(apiKey);
  return resend.emails.send({
    from: env.EMAIL_FROM,
    to: [to],
    subject: email.subject,
    html: email.html,
    text: email.text,
  });
}
