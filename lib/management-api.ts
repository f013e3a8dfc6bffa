import { getOAuthCredential, getWebhook } from "@/lib/actions/webhook-reads";
import { respond, type ApiRequest } from "./api-route";

/**
 * Shared pieces of the management API's routes (app/api/v1/webhooks, oauth-credentials,
 * deliveries): what a write answers with is the row as GET shows it, read through the same
 * checked action.
 */
export async function webhookResponse(
  api: ApiRequest,
  webhookId: string,
  status = 200,
  extra: Record<string, unknown> = {},
): Promise<Response> {
  return respond(await api.run(getWebhook, { webhookId }), (webhook) => ({ webhook, ...extra }), status);
}

export async function oauthCredentialResponse(api: ApiRequest, credentialId: string, status = 200): Promise<Response> {
  return respond(
    await api.run(getOAuthCredential, { credentialId }),
    (oauthCredential) => ({ oauthCredential }),
    status,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * JSON Merge Patch (RFC 7396): objects merge key by key, anything else (arrays included) replaces,
 * and `null` removes the key (its default applies again).
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === "__proto__") continue;
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
