/** The Test panel's edited sample record: JSON text → the record to send, or what is wrong with it. */
export function parseSampleRecord(
  text: string,
): { ok: true; sample: Record<string, unknown> } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, error: 'The record must be a JSON object, such as {"id": 1}' };
  return { ok: true, sample: value as Record<string, unknown> };
}
