import { describe, expect, it } from "vitest";
import { GET } from "./route";

describe("GET /api/v1/event-types", () => {
  it("serves the catalog with a sample record per type", async () => {
    const res = await GET(new Request("http://localhost/api/v1/event-types"));
    expect(res.status).toBe(200);
    const { eventTypes } = (await res.json()) as { eventTypes: { type: string; sample: { data: { id: unknown } } }[] };
    const types = eventTypes.map((e) => e.type);
    for (const t of [
      "contact.created",
      "lead.owner_changed",
      "deal.stage_changed",
      "task.reminder",
      "user.deactivated",
      "form.submitted",
    ])
      expect(types).toContain(t);
    expect(eventTypes.every((e) => e.sample.data.id !== undefined)).toBe(true);
    expect(new Set(types).size).toBe(types.length);
  });
});
