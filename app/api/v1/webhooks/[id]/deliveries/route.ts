import { listDeliveries } from "@/lib/actions/deliveries";
import { apiRoute, isId, notFound, queryOf, respond } from "@/lib/api-route";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/webhooks/{id}/deliveries?status=&cursor=&limit= — the history, newest first;
 * `nextCursor` (null on the last page) fetches the next page.
 */
export const GET = apiRoute<{ id: string }>(async (api, { id }) => {
  if (!isId(id)) return notFound("Webhook");
  return respond(
    await api.run(listDeliveries, { ...queryOf(api.request, ["status", "cursor", "limit"]), webhookId: id }),
    (data) => data,
  );
});
