import { z } from "zod";
import type { OAuthCredential, Webhook } from "@/db/schema";
import {
  getCompanyOAuthCredential,
  getCompanyWebhook,
  listOAuthCredentials,
  listWebhooks,
  webhooksUsingCredential,
} from "@/db/queries/webhooks";
import { ActionError, defineAction, ok } from "@/lib/action";
import { oauthCredentialIdSchema } from "@/lib/validations/oauth-credential";
import { listWebhooksSchema } from "@/lib/validations/listing";
import type { WebhookAuth, WebhookBody, WebhookConfig } from "@/lib/validations/webhook";
import { headerKey, readAuthSecrets, webhookConfigOf, type AuthSecrets } from "@/lib/webhooks";
import { publicParameters } from "./oauth-credentials";
import { webhookIdSchema } from "./webhooks";

/**
 * Reads, checked like every action (View Webhooks, from the database, in the caller's company).
 * What they return is the public shape: secrets are write-only — never a password, key value,
 * token, client secret or any encrypted column; only whether one is stored.
 */
export type PublicAuth =
  | { type: "none" }
  | { type: "basic"; username: string; hasPassword: boolean }
  | { type: "api_key"; in: "header" | "query"; name: string; hasValue: boolean }
  | { type: "bearer"; hasToken: boolean }
  | { type: "oauth"; credentialId: string };

/** Built field by field: nothing of the stored auth is copied that is not named here. */
export function publicAuth(auth: WebhookAuth, secrets: AuthSecrets): PublicAuth {
  switch (auth.type) {
    case "basic":
      return { type: "basic", username: auth.username, hasPassword: Boolean(secrets.basicPassword) };
    case "api_key":
      return { type: "api_key", in: auth.in, name: auth.name, hasValue: Boolean(secrets.apiKeyValue) };
    case "bearer":
      return { type: "bearer", hasToken: Boolean(secrets.bearerToken) };
    case "oauth":
      return { type: "oauth", credentialId: auth.credentialId };
    default:
      return { type: "none" };
  }
}

/**
 * Custom headers and constant parameters as shown: a secret one with a blank value and `hasValue`
 * (whether one is saved). webhookConfigOf has blanked secret values already; this says so per row.
 */
export function publicHeaders(headers: WebhookConfig["headers"], secrets: AuthSecrets) {
  return headers.map((h) => ({
    name: h.name,
    value: h.secret ? "" : h.value,
    secret: h.secret === true,
    hasValue: h.secret ? Boolean(secrets.headers?.[headerKey(h.name)]) : true,
  }));
}

export function publicBody(body: WebhookBody, secrets: AuthSecrets) {
  if (body.mode !== "fields") return body;
  return {
    ...body,
    constants: body.constants.map((c) => ({
      name: c.name,
      value: c.secret ? "" : c.value,
      secret: c.secret === true,
      hasValue: c.secret ? Boolean(secrets.constants?.[c.name]) : true,
    })),
  };
}

/** Which secrets a webhook has saved (never their values): header names lower case, constant names. */
export interface SavedSecrets {
  basic: boolean;
  apiKey: boolean;
  bearer: boolean;
  headers: string[];
  constants: string[];
}

/**
 * What the edit page hands the webhook form, and so the browser (the page's RSC payload): the public
 * configuration — secret headers and constants blank — and which secrets are saved.
 */
export function webhookFormView(row: Webhook): { defaults: WebhookConfig; savedSecrets: SavedSecrets } {
  const saved = readAuthSecrets(row);
  return {
    defaults: webhookConfigOf(row),
    savedSecrets: {
      basic: Boolean(saved.basicPassword),
      apiKey: Boolean(saved.apiKeyValue),
      bearer: Boolean(saved.bearerToken),
      headers: Object.keys(saved.headers ?? {}),
      constants: Object.keys(saved.constants ?? {}),
    },
  };
}

/** A webhook for the API: its whole configuration except secrets, and its state. */
export function publicWebhook(row: Webhook) {
  const config = webhookConfigOf(row);
  const secrets = readAuthSecrets(row);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    active: row.active,
    eventTypes: row.eventTypes,
    /** Deprecated: the first of eventTypes (webhooks listened to one event type before). */
    eventType: row.eventTypes[0],
    triggerMode: config.triggerMode,
    conditions: config.conditions,
    method: config.method,
    url: row.url,
    includeEntityParams: config.includeEntityParams,
    eventNaming: config.eventNaming,
    headers: publicHeaders(config.headers, secrets),
    auth: publicAuth(config.auth, secrets),
    body: publicBody(config.body, secrets),
    delaySeconds: config.delaySeconds,
    retryPolicy: config.retryPolicy,
    timeoutSeconds: config.timeoutSeconds,
    batchWindowSeconds: config.batchWindowSeconds,
    maxConcurrency: config.maxConcurrency,
    notifyOnFailure: config.notifyOnFailure,
    /** While a rotation's overlap lasts, the previous signing secret still signs until then. */
    previousSigningSecretValidUntil:
      row.previousSigningSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt > new Date()
        ? row.previousSecretExpiresAt
        : null,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt,
    lastSentAt: row.lastSentAt,
    lastStatus: row.lastStatus,
    lastStatusCode: row.lastStatusCode,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type PublicWebhook = ReturnType<typeof publicWebhook>;

/**
 * Whether a person must act: "not_applicable" for custom parameters (Hookrelay fetches tokens itself), else
 * "connected", "not_connected" (Connect never clicked) or "reconnect_needed" (the refresh was refused or the
 * settings changed).
 */
export function connectionState(
  row: Pick<OAuthCredential, "grantType" | "connectedAt" | "needsReconnectAt">,
): "not_applicable" | "connected" | "not_connected" | "reconnect_needed" {
  if (row.grantType !== "authorization_code") return "not_applicable";
  if (row.needsReconnectAt) return "reconnect_needed";
  return row.connectedAt ? "connected" : "not_connected";
}
export type ConnectionState = ReturnType<typeof connectionState>;

/** An OAuth credential for the API: secret parameter values are blank, with `hasValue`; tokens never leave. */
export function publicOAuthCredential(
  row: Pick<
    OAuthCredential,
    | "id"
    | "name"
    | "tokenUrl"
    | "method"
    | "parameters"
    | "tokenExpiresAt"
    | "lastError"
    | "lastErrorAt"
    | "grantType"
    | "authorizeUrl"
    | "clientId"
    | "scopes"
    | "pkce"
    | "connectedAt"
    | "needsReconnectAt"
    | "needsReconnectReason"
    | "createdAt"
    | "updatedAt"
  > & { hasClientSecret: boolean },
  hasToken: boolean,
  usedBy: { id: string; name: string }[],
) {
  const authorizationCode = row.grantType === "authorization_code";
  return {
    id: row.id,
    name: row.name,
    grantType: row.grantType,
    tokenUrl: row.tokenUrl,
    method: row.method,
    parameters: publicParameters(row.parameters),
    authorizeUrl: authorizationCode ? (row.authorizeUrl ?? "") : null,
    clientId: authorizationCode ? (row.clientId ?? "") : null,
    hasClientSecret: row.hasClientSecret,
    scopes: row.scopes,
    pkce: row.pkce,
    connection: connectionState(row),
    connectedAt: row.connectedAt,
    needsReconnectAt: row.needsReconnectAt,
    needsReconnectReason: row.needsReconnectReason,
    hasToken,
    tokenExpiresAt: row.tokenExpiresAt,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt,
    usedBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type PublicOAuthCredential = ReturnType<typeof publicOAuthCredential>;

/** The listing: search by name or URL, sort, page — the listed columns only. */
export const listWebhooksAction = defineAction({
  name: "listWebhooksAction",
  access: "webhooks.view",
  schema: listWebhooksSchema,
  async handler({ db, readDb, actor }, input) {
    // A listing: the replica's (getReadDb), when there is one.
    const { rows, ...page } = await listWebhooks(readDb ?? db, actor.companyId, input);
    return ok({ webhooks: rows, ...page });
  },
});

export const getWebhook = defineAction({
  name: "getWebhook",
  access: "webhooks.view",
  schema: webhookIdSchema,
  async handler({ db, actor }, input) {
    const row = await getCompanyWebhook(db, actor.companyId, input.webhookId);
    if (!row) throw new ActionError("not_found", "Webhook not found");
    return ok(publicWebhook(row));
  },
});

export const listOAuthCredentialsAction = defineAction({
  name: "listOAuthCredentialsAction",
  access: "webhooks.view",
  schema: z.object({}),
  async handler({ db, actor }) {
    const rows = await listOAuthCredentials(db, actor.companyId);
    return ok(rows.map((r) => publicOAuthCredential(r, r.hasToken, r.usedBy)));
  },
});

export const getOAuthCredential = defineAction({
  name: "getOAuthCredential",
  access: "webhooks.view",
  schema: oauthCredentialIdSchema,
  async handler({ db, actor }, input) {
    const row = await getCompanyOAuthCredential(db, actor.companyId, input.credentialId);
    if (!row) throw new ActionError("not_found", "OAuth credential not found");
    const usedBy = await webhooksUsingCredential(db, actor.companyId, row.id);
    return ok(
      publicOAuthCredential(
        { ...row, hasClientSecret: row.clientSecretEncrypted !== null },
        Boolean(row.accessTokenEncrypted),
        usedBy,
      ),
    );
  },
});
