import { recordAudit } from "@/db/queries/companies";
import {
  deleteCompanyEventType,
  findCompanyEventTypes,
  insertCompanyEventType,
  listCompanyEventTypes,
  updateCompanyEventType,
  webhooksListeningTo,
} from "@/db/queries/event-types";
import type { CompanyEventType } from "@/db/schema";
import { ActionError, defineAction, ok } from "@/lib/action";
import {
  deprecateEventTypeSchema,
  eventTypeNameSchema,
  eventTypeSchema,
  sampleOf,
  updateEventTypeSchema,
} from "@/lib/validations/event-type";
import type { DbOrTx } from "@/db";
import { z } from "zod";

/** A company event type for the page and the API. */
export function publicEventType(row: CompanyEventType) {
  return {
    type: row.type,
    entity: row.module,
    module: row.module,
    label: row.label,
    description: row.description,
    schema: row.schema ?? null,
    sample: row.sample,
    custom: true as const,
    deprecated: row.deprecatedAt !== null,
    deprecatedAt: row.deprecatedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

async function loadType(db: DbOrTx, companyId: string, type: string): Promise<CompanyEventType> {
  const [row] = await findCompanyEventTypes(db, companyId, [type]);
  if (!row) throw new ActionError("not_found", `Event type ${type.slice(0, 100)} not found among your company's own`);
  return row;
}

export const listEventTypes = defineAction({
  name: "listEventTypes",
  access: "webhooks.view",
  schema: z.object({}),
  async handler({ db, actor }) {
    const rows = await listCompanyEventTypes(db, actor.companyId, { includeDeprecated: true });
    return ok(rows.map(publicEventType));
  },
});

export const createEventType = defineAction({
  name: "createEventType",
  access: "webhooks.manage",
  schema: eventTypeSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const row = await insertCompanyEventType(tx, actor.companyId, actor.userId, {
        type: input.type,
        label: input.label,
        description: input.description,
        module: input.module,
        schema: input.schema,
        sample: sampleOf(input),
      });
      if (!row) {
        const message = `${input.type} is registered already`;
        throw new ActionError("invalid", `type: ${message}`, { type: [message] });
      }
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "event_type.created",
        targetType: "event_type",
        targetId: row.id,
        details: { type: row.type, module: row.module },
      });
      return ok(publicEventType(row), `Event type ${row.type} added`);
    });
  },
});

export const updateEventType = defineAction({
  name: "updateEventType",
  access: "webhooks.manage",
  schema: updateEventTypeSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const existing = await loadType(tx, actor.companyId, input.type);
      const row = await updateCompanyEventType(tx, actor.companyId, existing.id, {
        label: input.label,
        description: input.description,
        module: input.module,
        schema: input.schema,
        sample: sampleOf(input),
      });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "event_type.updated",
        targetType: "event_type",
        targetId: existing.id,
        details: { type: existing.type },
      });
      return ok(publicEventType(row!), `Event type ${existing.type} saved`);
    });
  },
});

/** Deprecate (or restore): its events are still accepted and its webhooks keep it; new webhooks no longer offer it. */
export const deprecateEventType = defineAction({
  name: "deprecateEventType",
  access: "webhooks.manage",
  schema: deprecateEventTypeSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const existing = await loadType(tx, actor.companyId, input.type);
      const row = await updateCompanyEventType(tx, actor.companyId, existing.id, {
        deprecatedAt: input.deprecated ? (existing.deprecatedAt ?? new Date()) : null,
      });
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: input.deprecated ? "event_type.deprecated" : "event_type.restored",
        targetType: "event_type",
        targetId: existing.id,
        details: { type: existing.type },
      });
      return ok(
        publicEventType(row!),
        input.deprecated ? `${existing.type} deprecated: new webhooks no longer offer it` : `${existing.type} restored`,
      );
    });
  },
});

/** Delete a type no webhook listens to; one in use is deprecated instead (409 naming the webhooks). */
export const deleteEventType = defineAction({
  name: "deleteEventType",
  access: "webhooks.manage",
  schema: eventTypeNameSchema,
  async handler({ db, actor }, input) {
    return db.transaction(async (tx) => {
      const existing = await loadType(tx, actor.companyId, input.type);
      const users = await webhooksListeningTo(tx, actor.companyId, existing.type);
      if (users.length) {
        const names = users.map((w) => w.name).join(", ");
        throw new ActionError(
          "conflict",
          `${existing.type} is in use by ${users.length === 1 ? "the webhook" : "the webhooks"} ${names}: deprecate it instead, or remove it from ${users.length === 1 ? "that webhook" : "them"} first`,
        );
      }
      await deleteCompanyEventType(tx, actor.companyId, existing.id);
      await recordAudit(tx, {
        companyId: actor.companyId,
        actorUserId: actor.userId,
        action: "event_type.deleted",
        targetType: "event_type",
        targetId: existing.id,
        details: { type: existing.type },
      });
      return ok(null, `Event type ${existing.type} deleted`);
    });
  },
});
