import type { z } from "zod";

/**
 * Characters no single-line field may hold: C0/C1 control characters (CR/LF among them: a name is
 * used as an email subject) and the Unicode text-direction marks and overrides (U+061C, U+200E/F,
 * U+202A-U+202E, U+2066-U+2069), which can make a name read differently from what it is.
 */
const CONTROL_OR_BIDI = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

export function hasControlOrBidi(text: string): boolean {
  return CONTROL_OR_BIDI.test(text);
}

/** A single-line text field: refused (naming the field) when it holds line breaks, control characters or direction
 * overrides. */
export function singleLine<T extends z.ZodString>(schema: T, label: string): T {
  return schema.refine(
    (v) => !hasControlOrBidi(v),
    `${label} cannot contain line breaks, control characters or text-direction marks`,
  ) as T;
}
