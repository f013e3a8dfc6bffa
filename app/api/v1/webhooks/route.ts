import { createWebhook } from "@/lib/actions/webhooks";
import { listWebhooksAction } from "@/lib/actions/webhook-reads";
import { actionFailure, apiRoute, queryOf, readObjectBody, respond } from "@/lib/api-route";
import { webhookResponse } from "@/lib/management-api";

export const dynamic = "force-dynamic";

/** GET /api/v1/webhooks?q=&page=&pageSize=&sort=&dir= — the listing (View Webhooks). */
export const GET = apiRoute(async (api) => {
  const result = await api.run(listWebhooksAction, queryOf(api.request, ["q", "page", "pageSize", "sort", "dir"]));
  return respond(result, (data) => data);
});

/** POST /api/v1/webhooks — 201 with the webhook and its signing secret, shown this once (Manage Webhooks). */
export const POST = apiRoute(async (api) => {
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  const created = await api.run(createWebhook, read.body);
  if (!created.ok) return actionFailure(created);
  return webhookResponse(api, created.data.webhookId, 201, { signingSecret: created.data.signingSecret });
});
