import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { webhooks, type Webhook } from "@/db/schema";
import { decryptSecret, encryptSecret } from "./crypto";
import { webhookSchema, type WebhookAuth, type WebhookConfig, type WebhookInput } from "./validations/webhook";

/** Secrets of the auth section, stored together as one encrypted blob. */
export interface AuthSecrets {
  basicPassword?: string;
  apiKeyValue?: string;
  bearerToken?: string;
}

export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** Splits a validated config into what is stored in clear and the secrets that are encrypted. */
export function splitSecrets(config: WebhookConfig): { publicConfig: WebhookConfig; secrets: AuthSecrets } {
  const auth = config.auth;
  const secrets: AuthSecrets = {};
  let publicAuth: WebhookAuth = auth;
  if (auth.type === "basic") {
    secrets.basicPassword = auth.password;
    publicAuth = { type: "basic", username: auth.username };
  } else if (auth.type === "api_key") {
    secrets.apiKeyValue = auth.value;
    publicAuth = { type: "api_key", in: auth.in, name: auth.name };
  } else if (auth.type === "bearer") {
    secrets.bearerToken = auth.token;
    publicAuth = { type: "bearer" };
  }
  return { publicConfig: { ...config, auth: publicAuth }, secrets };
}

export function readAuthSecrets(row: Pick<Webhook, "authSecretsEncrypted">): AuthSecrets {
  return row.authSecretsEncrypted ? (JSON.parse(decryptSecret(row.authSecretsEncrypted)) as AuthSecrets) : {};
}

/** The signing secrets to sign with: the current one, and the previous one while its overlap lasts. */
export function signingSecretsOf(row: Pick<Webhook, "signingSecretEncrypted" | "previousSigningSecretEncrypted" | "previousSecretExpiresAt">, now = new Date()): string[] {
  const out = [decryptSecret(row.signingSecretEncrypted)];
  if (row.previousSigningSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now) {
    out.push(decryptSecret(row.previousSigningSecretEncrypted));
  }
  return out;
}

/** Creates a webhook from raw input (validated here); returns the row and the signing secret, shown once. */
export async function insertWebhook(db: DbOrTx, companyId: string, userId: string | null, input: WebhookInput): Promise<{ webhook: Webhook; signingSecret: string }> {
  const config = webhookSchema.parse(input);
  const { publicConfig, secrets } = splitSecrets(config);
  const signingSecret = newSigningSecret();
  const [webhook] = await db
    .insert(webhooks)
    .values({
      companyId,
      name: config.name,
      description: config.description,
      active: config.active,
      eventType: config.eventType,
      method: config.method,
      url: config.url,
      config: publicConfig as unknown as Record<string, unknown>,
      authSecretsEncrypted: Object.values(secrets).some((v) => v !== undefined) ? encryptSecret(JSON.stringify(secrets)) : null,
      oauthCredentialId: config.auth.type === "oauth" ? config.auth.credentialId : null,
      signingSecretEncrypted: encryptSecret(signingSecret),
      createdBy: userId,
    })
    .returning();
  return { webhook, signingSecret };
}

export function webhookConfigOf(row: Webhook): WebhookConfig {
  return webhookSchema.parse(row.config);
}

export async function getWebhookById(db: DbOrTx, id: string) {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
  return row ?? null;
}
