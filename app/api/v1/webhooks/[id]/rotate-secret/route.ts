import { rotateSigningSecret } from "@/lib/actions/webhooks";
import { apiRoute, isId, notFound, readObjectBody, respond } from "@/lib/api-route";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/webhooks/{id}/rotate-secret `{ overlapHours? }` (default 24, at most 168) — the new
 * signing secret, shown this once; the previous one keeps signing until `previousValidUntil`.
 */
export const POST = apiRoute<{ id: string }>(async (api, { id }) => {
  if (!isId(id)) return notFound("Webhook");
  const read = await readObjectBody(api.request, { allowEmpty: true });
  if (!read.ok) return read.response;
  return respond(await api.run(rotateSigningSecret, { ...read.body, webhookId: id }), (data) => data);
});
