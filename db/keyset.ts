/**
 * Ids and keyset cursors, shared by every layer (db/ is the lowest, so this lives here).
 *
 * Lists page by (created_at, id), newest first: a cursor is the last row's created_at to the
 * microsecond (as PostgreSQL keeps it — a JS Date would cut it to milliseconds and skip rows written
 * in the same millisecond) and its id, handed out opaque (base64url) and checked when it comes back.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Ids in paths and parameters are UUIDs; anything else is "not found" (never a 500 from the database's uuid cast). */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

export interface KeysetCursor {
  /** created_at, UTC, to the microsecond: `2026-11-27T10:00:00.123456Z`. */
  at: string;
  id: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`).toString("base64url");
}

/** The cursor, or null when it is missing or not one we handed out. */
export function decodeCursor(value: unknown): KeysetCursor | null {
  if (typeof value !== "string" || value.length > 200) return null;
  const [at, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (rest.length || !CURSOR_TIME.test(at ?? "") || !isUuid(id)) return null;
  return { at, id: id.toLowerCase() };
}
