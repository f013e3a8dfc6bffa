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

export function deliveryFailedEmail(input: {
  webhookName: string;
  callbackUrl: string;
  eventType: string;
  recordId: string | null;
  status: number | null;
  meaning: string;
  attempts: number;
  othersFailed: number;
  historyUrl: string;
}): RenderedEmail {
  const subject = `Webhook "${input.webhookName}" failed to deliver`;
  const record = input.recordId ? ` for record ${input.recordId}` : "";
  const others =
    input.othersFailed > 0
      ? `${input.othersFailed} other deliver${input.othersFailed === 1 ? "y" : "ies"} of this webhook also failed since the last notice.`
      : "";
  const row = (label: string, value: string) =>
    `<tr><td style="padding:6px 12px 6px 0;color:#71717a;white-space:nowrap;vertical-align:top">${escapeHtml(label)}</td><td style="padding:6px 0;word-break:break-all">${value}</td></tr>`;
  const html = layout(
    subject,
    `<h1 style="font-size:20px;margin:0 0 12px">A delivery failed for good</h1>
<p style="margin:0 0 16px">Hookrelay could not deliver <strong>${escapeHtml(input.eventType)}</strong>${escapeHtml(record)} to the webhook <strong>${escapeHtml(input.webhookName)}</strong> after ${input.attempts} attempt${input.attempts === 1 ? "" : "s"}.</p>
<table role="presentation" cellpadding="0" cellspacing="0" style="font-size:14px;margin:0 0 8px">
${row("Callback URL", `<code>${escapeHtml(input.callbackUrl)}</code>`)}
${row("Last status", escapeHtml(input.status === null ? "no response" : String(input.status)))}
${row("Meaning", escapeHtml(input.meaning))}
${row("Attempts", String(input.attempts))}
</table>
${others ? `<p style="margin:12px 0 0;color:#b45309">${escapeHtml(others)}</p>` : ""}
${button(input.historyUrl, "Open the history")}
<p style="margin:0;color:#71717a;font-size:13px">You can resend failed deliveries from the history once the receiver is fixed.</p>`,
  );
  const text = `A delivery failed for good.

Webhook: ${input.webhookName}
Event: ${input.eventType}${record}
Callback URL: ${input.callbackUrl}
Last status: ${input.status === null ? "no response" : input.status}
Meaning: ${input.meaning}
Attempts: ${input.attempts}
${others ? `\n${others}\n` : ""}
History: ${input.historyUrl}`;
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
