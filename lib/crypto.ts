import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "./env";
import { parseSecretKey } from "./secret-key";

/**
 * Secrets at rest: AES-256-GCM under HOOKRELAY_SECRET_KEY.
 * Format: `v1:<iv b64url>:<tag b64url>:<ciphertext b64url>`. The version prefix lets us rotate the
 * key later (v2 under a new key) while old rows still decrypt.
 */
const VERSION = "v1";

export class SecretDecryptError extends Error {
  constructor(message = "Secret could not be decrypted (tampered or wrong key)") {
    super(message);
    this.name = "SecretDecryptError";
  }
}

export { parseSecretKey };

export function generateSecretKey(): string {
  return randomBytes(32).toString("hex");
}

let cachedKey: { raw: string; key: Buffer } | null = null;
function currentKey(): Buffer {
  const raw = env.HOOKRELAY_SECRET_KEY;
  if (cachedKey?.raw !== raw) cachedKey = { raw, key: parseSecretKey(raw) };
  return cachedKey.key;
}

export function encryptSecret(plaintext: string, key: Buffer = currentKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString("base64url"), tag.toString("base64url"), ct.toString("base64url")].join(":");
}

export function decryptSecret(stored: string, key: Buffer = currentKey()): string {
  const parts = stored.split(":");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretDecryptError("Unknown secret format");
  const [, ivB64, tagB64, ctB64] = parts;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(ivB64, "base64url"));
    decipher.setAuthTag(Buffer.from(tagB64, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ctB64, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptError();
  }
}

/** Shows a secret's shape without its value: `sk_live_••••••1a2b`. */
export function maskSecret(secret: string | null | undefined, visible = 4): string {
  if (!secret) return "";
  // A short secret shows nothing: four characters of a 10-character token are too many.
  if (secret.length < 16) return "•".repeat(8);
  return `${secret.slice(0, Math.min(visible, 8))}••••••${secret.slice(-visible)}`;
}

/** Tokens (API keys, invitation links) are stored as SHA-256: they are random, so no slow hash is needed. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}
