import { deleteEventType, deprecateEventType, listEventTypes, updateEventType } from "@/lib/actions/event-types";
import { actionFailure, apiRoute, notFound, readObjectBody, respond } from "@/lib/api-route";

export const dynamic = "force-dynamic";

type Params = { type: string };

/** GET — one of the company's own event types (View Webhooks). */
export const GET = apiRoute<Params>(async (api, { type }) => {
  const listed = await api.run(listEventTypes, {});
  if (!listed.ok) return actionFailure(listed);
  const found = listed.data.find((t) => t.type === type);
  return found ? Response.json({ eventType: found }) : notFound("Event type");
});

/** PUT — replaces its label, description, module, schema and sample (the name stays). */
export const PUT = apiRoute<Params>(async (api, { type }) => {
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  return respond(await api.run(updateEventType, { ...read.body, type }), (eventType) => ({ eventType }));
});

/** PATCH `{ "deprecated": true | false }` — deprecate or restore. */
export const PATCH = apiRoute<Params>(async (api, { type }) => {
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  return respond(await api.run(deprecateEventType, { deprecated: read.body.deprecated, type }), (eventType) => ({
    eventType,
  }));
});

/** DELETE — 204; 409 naming the webhooks that listen to it (deprecate it instead). */
export const DELETE = apiRoute<Params>(async (api, { type }) => {
  return respond(await api.run(deleteEventType, { type }), () => null, 204);
});
