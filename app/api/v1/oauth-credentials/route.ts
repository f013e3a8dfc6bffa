import { createOAuthCredential } from "@/lib/actions/oauth-credentials";
import { listOAuthCredentialsAction } from "@/lib/actions/webhook-reads";
import { actionFailure, apiRoute, readObjectBody, respond } from "@/lib/api-route";
import { oauthCredentialResponse } from "@/lib/management-api";

export const dynamic = "force-dynamic";

/** GET /api/v1/oauth-credentials — secret parameter values are never returned (View Webhooks). */
export const GET = apiRoute(async (api) => {
  return respond(await api.run(listOAuthCredentialsAction, {}), (oauthCredentials) => ({ oauthCredentials }));
});

/** POST /api/v1/oauth-credentials — 201 (Manage Webhooks). */
export const POST = apiRoute(async (api) => {
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  const created = await api.run(createOAuthCredential, read.body);
  return created.ok ? oauthCredentialResponse(api, created.data.credentialId, 201) : actionFailure(created);
});
