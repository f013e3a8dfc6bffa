import { EVENT_TYPES } from "@/lib/events/catalog";

/** The event catalog with a sample record for each type (public: it holds no company data). */
export async function GET() {
  return Response.json({
    eventTypes: EVENT_TYPES.map((e) => ({
      type: e.type,
      entity: e.entity,
      label: e.label,
      description: e.description,
      sample: e.sample,
    })),
  });
}
