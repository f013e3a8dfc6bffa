import { getDb } from "@/db";
import { listCompanyEventTypes } from "@/db/queries/event-types";
import { createEventType, publicEventType } from "@/lib/actions/event-types";
import { authenticateApiKey, refuseKey } from "@/lib/api-auth";
import { internalError } from "@/lib/api-response";
import { apiRoute, readObjectBody, respond } from "@/lib/api-route";
import { EVENT_TYPES } from "@/lib/events/catalog";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/event-types — the built-in catalog with a sample record for each type (public: it holds no
 * company data); with an API key, the company's own types too (`custom: true`, deprecated ones marked).
 */
export async function GET(request: Request) {
  try {
    const builtIn = EVENT_TYPES.map((e) => ({
      type: e.type,
      entity: e.entity,
      label: e.label,
      description: e.description,
      sample: e.sample,
      custom: false,
      deprecated: false,
    }));
    const authorization = request.headers.get("authorization");
    if (!authorization) return Response.json({ eventTypes: builtIn });
    const db = getDb();
    const key = await authenticateApiKey(db, authorization);
    if (!key) return await refuseKey(db, request);
    const own = await listCompanyEventTypes(db, key.companyId, { includeDeprecated: true });
    return Response.json({
      eventTypes: [
        ...builtIn,
        ...own.map((row) => {
          const { type, entity, label, description, sample, custom, deprecated, schema, module } = publicEventType(row);
          return { type, entity, label, description, sample, custom, deprecated, module, schema };
        }),
      ],
    });
  } catch (err) {
    return internalError(err);
  }
}

/** POST /api/v1/event-types — register one of the company's own event types: 201 (Manage Webhooks). */
export const POST = apiRoute(async (api) => {
  const read = await readObjectBody(api.request);
  if (!read.ok) return read.response;
  return respond(await api.run(createEventType, read.body), (eventType) => ({ eventType }), 201);
});
