import { eq, sql, type SQL } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db";
import { insertWebhookRow } from "@/db/queries/webhooks";
import { webhooks, type Webhook } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto";
import { webhookSchema, type WebhookConfig, type WebhookInput } from "@/lib/validations/webhook";
import { readAuthSecrets, sealSecrets, splitSecrets, storedConfig, type AuthSecrets } from "./secrets";
import { generateSigningSecret } from "./signing";
import { log as appLog } from "../log";

/**
 * The config ↔ row mapping, in one place: the columns a webhook's configuration fills (the queried
 * ones in clear, the rest as validated JSON without its secrets, the secrets as one encrypted blob).
 * Create, save and duplicate all write through it.
 */
export function webhookRowFields(publicConfig: WebhookConfig, secrets: AuthSecrets) {
  return {
    name: publicConfig.name,
    description: publicConfig.description,
    active: publicConfig.active,
    eventTypes: publicConfig.eventTypes,
    method: publicConfig.method,
    url: publicConfig.url,
    config: publicConfig as unknown as Record<string, unknown>,
    authSecretsEncrypted: sealSecrets(secrets),
    oauthCredentialId: publicConfig.auth.type === "oauth" ? publicConfig.auth.credentialId : null,
  };
}

/** Creates a webhook from raw input (validated here); returns the row and the signing secret, shown once. */
export async function insertWebhook(
  db: DbOrTx,
  companyId: string,
  userId: string | null,
  input: WebhookInput,
): Promise<{ webhook: Webhook; signingSecret: string }> {
  const { publicConfig, secrets } = splitSecrets(webhookSchema.parse(input));
  const signingSecret = generateSigningSecret();
  const webhook = await insertWebhookRow(db, {
    companyId,
    ...webhookRowFields(publicConfig, secrets),
    signingSecretEncrypted: encryptSecret(signingSecret),
    createdBy: userId,
  });
  return { webhook, signingSecret };
}

/**
 * The stored configuration, as shown and as the request builder reads it: every header and constant
 * with its `secret` flag, a secret one with a blank value (its value is in readAuthSecrets).
 */
export function webhookConfigOf(row: Pick<Webhook, "config">): WebhookConfig {
  return splitSecrets(storedConfig(row)).publicConfig;
}

/**
 * Start-up step (after the SQL migrations): rows saved before headers and constants could be secret
 * get their `secret` flags, and the values of those whose name looks like a credential move from the
 * clear config into the encrypted blob. Nothing is sent differently: readAuthSecrets already read
 * them so. A row that cannot be read is left as it is and named in the log. Returns the rows sealed.
 */
export async function sealClearRowSecrets(
  db: Database,
  log: (message: string) => void = (message) => appLog.warn(message),
): Promise<number> {
  const unflagged = (path: SQL) =>
    sql`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(${path}) = 'array' then ${path} else '[]'::jsonb end) r where not (r ? 'secret'))`;
  const candidates = await db
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(
      sql`${unflagged(sql`${webhooks.config}->'headers'`)} or ${unflagged(sql`${webhooks.config}->'body'->'constants'`)}`,
    );
  let sealed = 0;
  for (const { id } of candidates) {
    try {
      await db.transaction(async (tx) => {
        const [row] = await tx.select().from(webhooks).where(eq(webhooks.id, id)).for("update");
        if (!row) return;
        await tx
          .update(webhooks)
          .set({
            config: webhookConfigOf(row) as unknown as Record<string, unknown>,
            authSecretsEncrypted: sealSecrets(readAuthSecrets(row)),
          })
          .where(eq(webhooks.id, id));
      });
      sealed++;
    } catch (err) {
      log(
        `[hookrelay] webhook ${id}: its header and constant secrets could not be sealed (${err instanceof Error ? err.name : "error"}); it keeps its stored form`,
      );
    }
  }
  return sealed;
}
