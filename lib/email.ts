import { formatDateTime } from "@/lib/format";

/**
 * Email templates. Each returns a subject, an HTML part (inline styles, as mail clients need)
 * and a plain-text part. Every interpolated value is escaped.
 */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function layout(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;background:#f4f4f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f7;padding:32px 0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:12px;border:1px solid #e4e4e7;overflow:hidden">
<tr><td style="padding:20px 32px;border-bottom:1px solid #f0f0f3;font-weight:600;font-size:15px"><span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:#6d4aff;margin-right:8px"></span>Hookrelay</td></tr>
<tr><td style="padding:28px 32px;font-size:15px;line-height:1.6">${bodyHtml}</td></tr>
<tr><td style="padding:16px 32px;background:#fafafa;color:#71717a;font-size:12px">You receive this email because of your Hookrelay account.</td></tr>
</table></td></tr></table></body></html>`;
}

function button(href: string, label: string): string {
  return `<p style="margin:28px 0"><a href="${escapeHtml(href)}" style="background:#6d4aff;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:8px;font-weight:600;display:inline-block">${escapeHtml(label)}</a></p>`;
}

export function invitationEmail(input: {
  companyName: string;
  inviterName: string;
  roleName: string;
  acceptUrl: string;
  expiresAt: Date;
}): RenderedEmail {
  const subject = `${input.inviterName} invited you to ${input.companyName} on Hookrelay`;
  const expires = input.expiresAt.toUTCString();
  const html = layout(
    subject,
    `<h1 style="font-size:20px;margin:0 0 12px">Join ${escapeHtml(input.companyName)}</h1>
<p style="margin:0 0 8px">${escapeHtml(input.inviterName)} invited you to join <strong>${escapeHtml(input.companyName)}</strong> on Hookrelay as <strong>${escapeHtml(input.roleName)}</strong>.</p>
${button(input.acceptUrl, "Accept invitation")}
<p style="margin:0;color:#52525b;font-size:13px">Or paste this link into your browser:<br><a href="${escapeHtml(input.acceptUrl)}" style="color:#6d4aff;word-break:break-all">${escapeHtml(input.acceptUrl)}</a></p>
<p style="margin:16px 0 0;color:#71717a;font-size:13px">The link expires on ${escapeHtml(expires)}.</p>`,
  );
  const text = `${input.inviterName} invited you to join ${input.companyName} on Hookrelay as ${input.roleName}.

Accept the invitation: ${input.acceptUrl}

The link expires on ${expires}.`;
  return { subject, html, text };
}

/** One failed attempt, as its log row has it: what the failure emails are built from (jobs/notify-failure.ts). */
export interface FailedAttemptNotice {
  /** "first_failure": the first failed attempt, retries follow; "failed": out of retries (or none to make). */
  kind: "first_failure" | "failed";
  webhookName: string;
  eventType: string;
  recordId: string | null;
  /** The request as it was sent: the URL with its placeholders filled and secrets masked (the attempt log's). */
  method: string;
  url: string;
  status: number | null;
  /** "500 Internal server error: The server encountered …" */
  meaning: string;
  /** The error kind's label and message when there was no HTTP answer (timeout, refused …). */
  error: string | null;
  attemptNumber: number;
  attemptedAt: Date;
  /** first_failure: when the next try is due, and how many tries are left. */
  nextAttemptAt: Date | null;
  triesLeft: number | null;
  /** Other deliveries of this webhook that failed the same way since the previous email of this kind. */
  othersFailed: number;
  /** Whether there was a previous email of this kind ("since the last notice") or not ("in the last hour"). */
  afterEarlierNotice: boolean;
  deliveryUrl: string;
}

const utc = formatDateTime;

/**
 * The failure email, either kind: which it is in the subject and the first line, then the failed attempt itself —
 * the URL actually called, the status and its meaning, the error, when, which attempt — and, for a first failure,
 * when the next try is and how many are left; a link to that delivery's page.
 */
export function deliveryFailedEmail(input: FailedAttemptNotice): RenderedEmail {
  const first = input.kind === "first_failure";
  const subject = first
    ? `Webhook "${input.webhookName}": a delivery failed, retrying${input.nextAttemptAt ? ` at ${utc(input.nextAttemptAt)}` : ""}`
    : `Webhook "${input.webhookName}": a delivery failed for good`;
  const record = input.recordId ? ` for record ${input.recordId}` : "";
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const others =
    input.othersFailed > 0
      ? `${plural(input.othersFailed, "other delivery", "other deliveries")} of this webhook also ${first ? "failed a first attempt" : "failed for good"} ${input.afterEarlierNotice ? "since the last notice" : "in the last hour"}.`
      : "";
  const status = input.status === null ? "no response" : input.meaning.split(":")[0];
  const lead = first
    ? `Attempt ${input.attemptNumber} to deliver ${input.eventType}${record} to the webhook ${input.webhookName} failed. Hookrelay will try again${input.nextAttemptAt ? ` at ${utc(input.nextAttemptAt)}` : ""}${input.triesLeft !== null ? ` (${plural(input.triesLeft, "try", "tries")} left)` : ""}.`
    : `Hookrelay could not deliver ${input.eventType}${record} to the webhook ${input.webhookName}: attempt ${input.attemptNumber} failed and no retries are left.`;
  const rows: [string, string][] = [
    ["Callback URL", `${input.method} ${input.url}`],
    ["Status", status],
    ["Meaning", input.meaning],
    ...(input.error ? ([["Error", input.error]] as [string, string][]) : []),
    ["Attempt", `${input.attemptNumber}, at ${utc(input.attemptedAt)}`],
    ...(first && input.nextAttemptAt ? ([["Next try", utc(input.nextAttemptAt)]] as [string, string][]) : []),
    ...(first && input.triesLeft !== null ? ([["Tries left", String(input.triesLeft)]] as [string, string][]) : []),
  ];
  const row = (label: string, value: string) =>
    `<tr><td style="padding:6px 12px 6px 0;color:#71717a;white-space:nowrap;vertical-align:top">${escapeHtml(label)}</td><td style="padding:6px 0;word-break:break-all">${label === "Callback URL" ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value)}</td></tr>`;
  const html = layout(
    subject,
    `<h1 style="font-size:20px;margin:0 0 12px">${first ? "A delivery failed: retrying" : "A delivery failed for good"}</h1>
<p style="margin:0 0 16px">${escapeHtml(lead)}</p>
<table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px;margin:0 0 8px">
${rows.map(([label, value]) => row(label, value)).join("\n")}
</table>
${others ? `<p style="margin:12px 0 0;color:#b45309">${escapeHtml(others)}</p>` : ""}
${button(input.deliveryUrl, "Open this delivery")}
<p style="margin:0;color:#71717a;font-size:13px">${first ? "Nothing to do if the receiver recovers: the retries go on by themselves." : "Once the receiver is fixed, resend the delivery from its page (Resync) or the history."}</p>`,
  );
  const text = `${first ? "A delivery failed: retrying." : "A delivery failed for good."}

${lead}

Webhook: ${input.webhookName}
Event: ${input.eventType}${record}
${rows.map(([label, value]) => `${label}: ${value}`).join("\n")}
${others ? `\n${others}\n` : ""}
Delivery: ${input.deliveryUrl}`;
  return { subject, html, text };
}

export function webhookDisabledEmail(input: {
  webhookName: string;
  callbackUrl: string;
  reason: string;
  editUrl: string;
}): RenderedEmail {
  const subject = `Webhook "${input.webhookName}" was switched off`;
  const html = layout(
    subject,
    `<h1 style="font-size:20px;margin:0 0 12px">A webhook was switched off</h1>
<p style="margin:0 0 12px">Hookrelay switched off <strong>${escapeHtml(input.webhookName)}</strong> (<code>${escapeHtml(input.callbackUrl)}</code>).</p>
<p style="margin:0 0 12px"><strong>Why:</strong> ${escapeHtml(input.reason)}</p>
<p style="margin:0 0 12px">Events that arrive while it is off are recorded as skipped and can be replayed. Fix the receiver, then switch the webhook back on with one click.</p>
${button(input.editUrl, "Open the webhook")}`,
  );
  const text = `Hookrelay switched off the webhook ${input.webhookName} (${input.callbackUrl}).

Why: ${input.reason}

Events that arrive while it is off are recorded as skipped and can be replayed. Fix the receiver, then switch the webhook back on.

${input.editUrl}`;
  return { subject, html, text };
}

export function passwordResetEmail(input: { name: string; resetUrl: string; expiresAt: Date }): RenderedEmail {
  const subject = "Reset your Hookrelay password";
  const expires = input.expiresAt.toUTCString();
  const html = layout(
    subject,
    `<h1 style="font-size:20px;margin:0 0 12px">Reset your password</h1>
<p style="margin:0 0 8px">Hi ${escapeHtml(input.name)}, someone (we hope you) asked to reset the password of your Hookrelay account.</p>
${button(input.resetUrl, "Choose a new password")}
<p style="margin:0;color:#52525b;font-size:13px">Or paste this link into your browser:<br><a href="${escapeHtml(input.resetUrl)}" style="color:#6d4aff;word-break:break-all">${escapeHtml(input.resetUrl)}</a></p>
<p style="margin:16px 0 0;color:#71717a;font-size:13px">The link works once and expires on ${escapeHtml(expires)}. Choosing a new password signs you out everywhere. If you did not ask for this, ignore this email: your password stays as it is.</p>`,
  );
  const text = `Hi ${input.name}, someone (we hope you) asked to reset the password of your Hookrelay account.

Choose a new password: ${input.resetUrl}

The link works once and expires on ${expires}. Choosing a new password signs you out everywhere.
If you did not ask for this, ignore this email: your password stays as it is.`;
  return { subject, html, text };
}
