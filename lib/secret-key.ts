/**
 * HOOKRELAY_SECRET_KEY's format, apart from lib/crypto.ts so that lib/env.ts can check it at start
 * without importing the code that reads it. Accepts a 32-byte key as 64 hex chars or
 * base64/base64url; anything else is refused.
 */
export function parseSecretKey(raw: string): Buffer {
  const trimmed = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  const buf = Buffer.from(trimmed, trimmed.includes("-") || trimmed.includes("_") ? "base64url" : "base64");
  if (buf.length !== 32) {
    throw new Error("HOOKRELAY_SECRET_KEY must be 32 bytes, as 64 hex characters or base64");
  }
  return buf;
}
