import { deleteOAuthCredential, updateOAuthCredential } from "@/lib/actions/oauth-credentials";
import { actionFailure, apiRoute, isId, notFound, readObjectBody, respond } from "@/lib/api-route";
import { oauthCredentialResponse } from "@/lib/management-api";

export const dynamic = "force-dynamic";

type Params = { id: string };

export const GET = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("OAuth credential");
  return oauthCredentialResponse(api, id);
});

/** PUT — replaces the credential; a secret parameter sent blank keeps its stored value. */
export const PUT = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("OAuth credential");
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  const saved = await api.run(updateOAuthCredential, { ...read.body, credentialId: id });
  return saved.ok ? oauthCredentialResponse(api, id) : actionFailure(saved);
});

/** DELETE — 204; 409 naming the webhooks that still use it. */
export const DELETE = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("OAuth credential");
  return respond(await api.run(deleteOAuthCredential, { credentialId: id }), () => null, 204);
});
