import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { events } from "@/db/schema";
import { ActionError, defineAction, fieldErrorsOf, ok } from "@/lib/action";
import { checkEventTypes } from "@/lib/events/company-catalog";
import { ingestEvents } from "@/lib/events/ingest";
import { eventInputSchema } from "@/lib/validations/event";
import { testEventSchema } from "@/lib/validations/test-event";

/**
 * "Send a test event": the record typed in the dialog goes through the API's own checks and the
 * API's own path (`ingestEvents`: the event, one delivery per matching active webhook and their
 * jobs in one transaction), marked as a test event sent by this user, with an id `test_…`.
 */
export const sendTestEvent = defineAction({
  name: "sendTestEvent",
  access: "webhooks.manage",
  schema: testEventSchema,
  async handler({ db, boss, actor }, input) {
    const checked = eventInputSchema.safeParse({
      id: `test_${randomUUID()}`,
      type: input.type,
      data: input.data,
      ...(input.previous ? { previous: input.previous } : {}),
    });
    if (!checked.success) {
      // data.id → "data": the errors belong to the dialog's textareas.
      const fieldErrors: Record<string, string[]> = {};
      for (const [path, messages] of Object.entries(fieldErrorsOf(checked.error))) {
        const field = path.split(".")[0];
        (fieldErrors[field] ??= []).push(
          ...messages.map((m) => (path === "data.id" ? 'The record needs an "id" (a string or a number)' : m)),
        );
      }
      const [field, messages] = Object.entries(fieldErrors)[0];
      throw new ActionError("invalid", `${field}: ${messages[0]}`, fieldErrors);
    }
    const typeProblem = await checkEventTypes(db, actor.companyId, [checked.data]);
    if (typeProblem) {
      const field = typeProblem.field === "type" ? "type" : "data";
      const message =
        field === "type"
          ? `"${checked.data.type}" is not an event type of the catalog or your company's own`
          : typeProblem.message;
      throw new ActionError("invalid", `${typeProblem.field}: ${message}`, { [field]: [message] });
    }
    const [result] = await ingestEvents(db, await boss(), actor.companyId, null, [checked.data], {
      sentBy: actor.userId,
    });
    const [row] = await db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.companyId, actor.companyId), eq(events.externalId, result.id)));
    const n = result.deliveries;
    return ok(
      { eventId: row.id, externalId: result.id, deliveries: n },
      n === 0
        ? "Test event sent: it matched no active webhook"
        : `Test event sent: it matched ${n} webhook${n === 1 ? "" : "s"}`,
    );
  },
});
