/**
 * An outbox email's plain text as people read it (Settings → Email outbox): web addresses and email
 * addresses become links, a masked one-time link stays text, and names of the server's own settings
 * (environment variables) are not shown to the company's members.
 */

export type TextPart = { kind: "text"; value: string } | { kind: "url" | "email"; value: string; href: string };

const LINK = /(https?:\/\/[^\s<>"']+)|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
/** A trailing `.`, `,`, `)` … closes the sentence, not the address. */
const TRAILING = /[.,;:!?)\]]+$/;

/** The text cut into plain runs and links; a masked link (`/invite/••••`) is left as text. */
export function emailTextParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  const push = (value: string) => {
    if (!value) return;
    const prev = parts[parts.length - 1];
    if (prev?.kind === "text") prev.value += value;
    else parts.push({ kind: "text", value });
  };
  for (const m of text.matchAll(LINK)) {
    const raw = m[0];
    const trail = TRAILING.exec(raw)?.[0] ?? "";
    const value = raw.slice(0, raw.length - trail.length);
    push(text.slice(last, m.index));
    if (m[1] && (value.includes("•") || text.slice(m.index + raw.length).startsWith("•"))) push(value);
    else if (m[1]) parts.push({ kind: "url", value, href: value });
    else parts.push({ kind: "email", value, href: `mailto:${value}` });
    push(trail);
    last = m.index + raw.length;
  }
  push(text.slice(last));
  return parts;
}

/** SOME_SETTING_NAME → "a server setting": members see what happened, not how the server is configured. */
export function withoutSettingNames(text: string): string {
  return text.replace(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g, "a server setting");
}
