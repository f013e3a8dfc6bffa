import { getDb } from "@/db";
import { getBoss } from "@/jobs/boss";
import { authenticateApiKey, refuseKey } from "@/lib/api-auth";
import { takeEventRate } from "@/db/queries/events";
import { FAIR_EVENTS_PER_SECOND, FLOOD_PRIORITY } from "@/jobs/definitions/deliver-webhook";
import { env } from "@/lib/env";
import { apiError, internalError, isJsonContentType, readJsonBody } from "@/lib/api-response";
import { checkEventTypes } from "@/lib/events/company-catalog";
import { ingestEvents } from "@/lib/events/ingest";
import { submitSingleEvent } from "@/lib/events/intake-group";
import { countEventRequest, countEventsAccepted } from "@/lib/metrics";
import { inSpan, SpanKind } from "@/lib/tracing";
import type { Span } from "@opentelemetry/api";
import {
  eventInputSchema,
  MAX_EVENTS_BODY_BYTES,
  MAX_EVENTS_PER_REQUEST,
  type EventInput,
} from "@/lib/validations/event";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/events — one event or an array of at most 100, with `Authorization: Bearer <key>`.
 * 202 `{ events: [{ id, deliveries, duplicate }] }` once events, deliveries and jobs are committed.
 */
export async function POST(request: Request): Promise<Response> {
  // The intake's span (tracing on): each delivery job carries its context, so the worker's spans join its trace.
  return inSpan(
    "POST /api/v1/events",
    { kind: SpanKind.SERVER, attributes: { "http.request.method": "POST", "http.route": "/api/v1/events" } },
    async (span) => {
      const response = countEventRequest(await intake(request, span));
      span?.setAttribute("http.response.status_code", response.status);
      return response;
    },
  );
}

async function intake(request: Request, span: Span | null): Promise<Response> {
  try {
    const db = getDb();
    const caller = await authenticateApiKey(db, request.headers.get("authorization"));
    if (!caller) return await refuseKey(db, request);
    span?.setAttribute("hookrelay.company.id", caller.companyId);

    const contentType = request.headers.get("content-type");
    if (!isJsonContentType(contentType)) {
      const got = contentType ? `"${Array.from(contentType).slice(0, 100).join("")}"` : "none";
      return apiError(
        415,
        "unsupported_media_type",
        `Send events as JSON with Content-Type: application/json (got ${got})`,
        "content-type",
      );
    }
    const read = await readJsonBody(request, { limit: MAX_EVENTS_BODY_BYTES });
    if (!read.ok) return read.response;
    const body = read.body;
    const list = Array.isArray(body) ? body : [body];
    if (list.length === 0) return apiError(422, "invalid", "Send at least one event", "body");
    if (list.length > MAX_EVENTS_PER_REQUEST)
      return apiError(
        413,
        "too_many",
        `At most ${MAX_EVENTS_PER_REQUEST} events per request (got ${list.length})`,
        "body",
      );
    if (list.some((e) => e === null || typeof e !== "object" || Array.isArray(e))) {
      return apiError(400, "malformed", "Each event must be a JSON object", Array.isArray(body) ? "[]" : "body");
    }

    const parsed: EventInput[] = [];
    for (let i = 0; i < list.length; i++) {
      const result = eventInputSchema.safeParse(list[i]);
      if (!result.success) {
        const issue = result.error.issues[0];
        const path = issue.path.map(String).join(".");
        const field = Array.isArray(body) ? `[${i}]${path ? `.${path}` : ""}` : path || "body";
        return apiError(422, "invalid", `${field}: ${issue.message}`, field);
      }
      parsed.push(result.data);
    }

    // Each type the catalog's or the company's own; data that meets the type's schema, when it has one.
    const typeProblem = await checkEventTypes(db, caller.companyId, parsed);
    if (typeProblem) {
      const { index, field, message } = typeProblem;
      const where = Array.isArray(body) ? `[${index}].${field}` : field;
      return apiError(422, "invalid", `${where}: ${message}`, where);
    }

    // One event: written together with the other requests of the moment (lib/events/intake-group.ts),
    // its rate counted and its answer its own.
    if (parsed.length === 1) {
      const answer = await submitSingleEvent(db, getBoss, {
        companyId: caller.companyId,
        apiKeyId: caller.apiKeyId,
        event: parsed[0],
      });
      if ("rateLimited" in answer) return rateLimited();
      countEventsAccepted(1, Array.isArray(body));
      span?.setAttributes({ "hookrelay.events": 1, "hookrelay.deliveries": answer.accepted.deliveries });
      return Response.json({ events: [answer.accepted] }, { status: 202 });
    }

    // Counted in PostgreSQL: the limit holds across every web process.
    const rate = await takeEventRate(db, caller.companyId, parsed.length, env.EVENTS_RATE_LIMIT);
    if (!rate.allowed) return rateLimited();
    // Past its fair rate this second, a company's deliveries queue behind other companies'.
    const priority = rate.count > FAIR_EVENTS_PER_SECOND ? FLOOD_PRIORITY : 0;
    const results = await ingestEvents(
      db,
      await getBoss(),
      caller.companyId,
      caller.apiKeyId,
      parsed,
      undefined,
      priority,
    );
    countEventsAccepted(results.length, Array.isArray(body));
    span?.setAttributes({
      "hookrelay.events": results.length,
      "hookrelay.deliveries": results.reduce((n, r) => n + r.deliveries, 0),
    });
    return Response.json({ events: results }, { status: 202 });
  } catch (err) {
    return internalError(err);
  }
}

function rateLimited(): Response {
  return apiError(429, "rate_limited", "Too many events for this company right now; retry after a second", undefined, {
    "retry-after": "1",
  });
}
