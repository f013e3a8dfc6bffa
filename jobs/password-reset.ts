import type { DbOrTx } from "@/db";
import { insertPasswordReset } from "@/db/queries/accounts";
import { findUserByEmail } from "@/db/queries/companies";
import { hashToken, randomToken } from "@/lib/crypto";
import { passwordResetEmail } from "@/lib/email";
import { appUrl, env } from "@/lib/env";
import type { PasswordResetJob } from "./definitions/password-reset";
import { sendThroughResend } from "./send-email";
import { log } from "@/lib/log";

/** A reset link works once, for this long. */
export const RESET_LINK_TTL_MS = 60 * 60 * 1000;

/**
 * "Forgot password?": the web process queues every request alike, account or not, so its answer
 * and its timing say nothing; here, for an address with an account, a single-use link (only its
 * hash is stored) goes out through Resend. Without RESEND_API_KEY the link is written to this
 * process's log for whoever runs the server — never to the outbox, which people in a company read.
 */
export async function passwordResetJob(db: DbOrTx, job: PasswordResetJob): Promise<"sent" | "logged" | "no-account"> {
  const user = await findUserByEmail(db, job.email);
  if (!user) return "no-account";
  const token = randomToken(32);
  const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
  await insertPasswordReset(db, user.id, hashToken(token), expiresAt);
  const email = passwordResetEmail({ name: user.name, resetUrl: `${appUrl()}/reset-password/${token}`, expiresAt });
  const apiKey = env.RESEND_API_KEY;
  if (!apiKey) {
    log.info(
      { job: "password-reset", userId: user.id },
      `RESEND_API_KEY is unset: the reset link for ${user.email} is not emailed. Its text:\n${email.text}`,
    );
    return "logged";
  }
  const { data, error } = await sendThroughResend(apiKey, user.email, email);
  // pg-boss retries the job (a new link each time; an unsent one is never known to anybody).
  if (error || !data) throw new Error(error ? `${error.name}: ${error.message}` : "Resend returned no id");
  return "sent";
}
