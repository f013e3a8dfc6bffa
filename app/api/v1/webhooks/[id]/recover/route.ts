import { recoverWebhook } from "@/lib/actions/deliveries";
import { apiRoute, isId, notFound, readObjectBody, respond } from "@/lib/api-route";

export const dynamic = "force-dynamic";

type Params = { id: string };

/**
 * POST /api/v1/webhooks/{id}/recover `{ "since": "2026-11-23T10:00:00Z" }` — 202: every event of the
 * webhook's types since then that did not reach it is sent, in the background (Manage Webhooks).
 */
export const POST = apiRoute<Params>(async (api, { id }) => {
  if (!isId(id)) return notFound("Webhook");
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  return respond(
    await api.run(recoverWebhook, { since: read.body.since, webhookId: id }),
    (data) => ({ recovery: { id: data.bulkRetryId, state: "queued" } }),
    202,
  );
});
