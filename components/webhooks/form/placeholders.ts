/** The text logic of the placeholder suggestions (placeholder-picker.tsx): what is typed, what fits, the result. */

/** The event's own placeholders, offered before the record's fields. */
export const EVENT_PLACEHOLDERS = ["event.id", "event.type", "event.occurredAt"] as const;
const MAX_SUGGESTIONS = 8;

/** The placeholder name being typed just before the caret (after an unclosed `{{`), with where its `{{` starts. */
export function placeholderQuery(value: string, caret: number): { text: string; start: number } | null {
  const m = /\{\{\s*([\w.]*)$/.exec(value.slice(0, caret));
  return m ? { text: m[1], start: m.index } : null;
}

/** The placeholders that fit what is typed: names starting with it first, then names containing it. */
export function placeholderSuggestions(text: string, fields: string[]): string[] {
  const all = [...EVENT_PLACEHOLDERS, ...fields.map((f) => `data.${f}`)];
  const q = text.toLowerCase();
  const starts = all.filter((p) => p.toLowerCase().startsWith(q) || p.toLowerCase().startsWith(`data.${q}`));
  const contains = all.filter((p) => !starts.includes(p) && p.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
}

/**
 * `value` with the typed `{{name` (from `start` to `caret`) replaced by the whole `{{option}}` (a `}}`
 * already after the caret is reused), and where the caret goes: after the placeholder.
 */
export function replaceQuery(
  value: string,
  start: number,
  caret: number,
  option: string,
): { value: string; caret: number } {
  const rest = value.slice(caret).replace(/^[\w.]*\s*\}\}/, "");
  const inserted = `{{${option}}}`;
  return { value: value.slice(0, start) + inserted + rest, caret: start + inserted.length };
}
