import { resendDelivery } from "@/lib/actions/deliveries";
import { apiRoute, isId, notFound, respond } from "@/lib/api-route";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/deliveries/{id}/resend — 202: the delivery is queued and sent once more as a manual
 * attempt by the key's creator (Manage Webhooks); 409 while an attempt is in flight.
 */
export const POST = apiRoute<{ id: string }>(async (api, { id }) => {
  if (!isId(id)) return notFound("Delivery");
  return respond(
    await api.run(resendDelivery, { deliveryId: id }),
    (data) => ({ delivery: { id: data.deliveryId, status: data.status } }),
    202,
  );
});
