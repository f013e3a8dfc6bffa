import { deleteWebhook, updateWebhook } from "@/lib/actions/webhooks";
import { getWebhook } from "@/lib/actions/webhook-reads";
import { actionFailure, apiRoute, isId, notFound, readObjectBody, respond } from "@/lib/api-route";
import { mergePatch, webhookResponse } from "@/lib/management-api";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** GET /api/v1/webhooks/{id} — every setting but secrets (View Webhooks). */
export const GET = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("Webhook");
  return webhookResponse(api, id);
});

/** PUT — replaces the configuration (absent fields take their defaults; blank or absent secrets keep the stored ones).
 * */
export const PUT = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("Webhook");
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  const saved = await api.run(updateWebhook, { ...read.body, webhookId: id });
  return saved.ok ? webhookResponse(api, id) : actionFailure(saved);
});

/**
 * PATCH — a JSON Merge Patch over the stored configuration (objects merge, arrays replace, null
 * resets to the default), then validated by the same schema as PUT and the form.
 */
export const PATCH = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("Webhook");
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  const current = await api.run(getWebhook, { webhookId: id });
  if (!current.ok) return actionFailure(current);
  // The public shape's extra keys (id, hasPassword, lastSentAt …) are dropped by the schema.
  const merged = mergePatch(current.data, read.body) as Record<string, unknown>;
  const saved = await api.run(updateWebhook, { ...merged, webhookId: id });
  return saved.ok ? webhookResponse(api, id) : actionFailure(saved);
});

/** DELETE — 204; its deliveries and their history go with it. */
export const DELETE = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("Webhook");
  return respond(await api.run(deleteWebhook, { webhookId: id }), () => null, 204);
});
