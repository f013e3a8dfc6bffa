import { randomBytes } from "node:crypto";
import type { Webhook } from "@/db/schema";
import { decryptSecret } from "@/lib/crypto";

/** A new signing secret: `whsec_` and 24 random bytes in base64 (Standard Webhooks' format). */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** The signing secrets to sign with: the current one, and the previous one while its overlap lasts. */
export function signingSecretsOf(
  row: Pick<Webhook, "signingSecretEncrypted" | "previousSigningSecretEncrypted" | "previousSecretExpiresAt">,
  now = new Date(),
): string[] {
  const out = [decryptSecret(row.signingSecretEncrypted)];
  if (row.previousSigningSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now) {
    out.push(decryptSecret(row.previousSigningSecretEncrypted));
  }
  return out;
}
