import type { DbOrTx } from "@/db";
import { findCompanyEventTypes, listCompanyEventTypes } from "@/db/queries/event-types";
import type { CompanyEventType } from "@/db/schema";
import {
  EVENT_TYPES,
  fieldPaths,
  getEventType,
  sampleValues,
  type EventTypeInfo,
  type EventTypeOption,
} from "./catalog";
import { schemaViolation, type EventSchema } from "./json-schema";

/**
 * The catalog a company sees: the built-in event types (lib/events/catalog.ts) and the ones it
 * registered itself (Event types page, `/api/v1/event-types`). Built-in names cannot be registered
 * again, so a type is one or the other.
 */
export interface CompanyEventTypeInfo extends EventTypeInfo {
  custom: boolean;
  deprecated: boolean;
  schema: EventSchema | null;
}

function fromRow(row: CompanyEventType): CompanyEventTypeInfo {
  return {
    type: row.type,
    entity: row.module,
    label: row.label,
    description: row.description,
    sample: row.sample,
    custom: true,
    deprecated: row.deprecatedAt !== null,
    schema: (row.schema as EventSchema | null) ?? null,
  };
}

function builtIn(info: EventTypeInfo): CompanyEventTypeInfo {
  return { ...info, custom: false, deprecated: false, schema: null };
}

/** The types (built-in or the company's, deprecated included) among `types`, by name. */
export async function resolveEventTypes(
  db: DbOrTx,
  companyId: string,
  types: string[],
): Promise<Map<string, CompanyEventTypeInfo>> {
  const out = new Map<string, CompanyEventTypeInfo>();
  const unknown: string[] = [];
  for (const type of new Set(types)) {
    const info = getEventType(type);
    if (info) out.set(type, builtIn(info));
    else unknown.push(type);
  }
  for (const row of await findCompanyEventTypes(db, companyId, unknown)) out.set(row.type, fromRow(row));
  return out;
}

/** The labels of `types`, built-in or the company's own (one query, only when some are not built in). */
export async function eventTypeLabels(db: DbOrTx, companyId: string, types: string[]): Promise<Map<string, string>> {
  const known = await resolveEventTypes(db, companyId, types);
  return new Map([...known].map(([type, info]) => [type, info.label]));
}

export async function findEventType(
  db: DbOrTx,
  companyId: string,
  type: string,
): Promise<CompanyEventTypeInfo | undefined> {
  return (await resolveEventTypes(db, companyId, [type])).get(type);
}

/**
 * The webhook form's options: the built-in types, then the company's own (not deprecated, except those
 * listed in `keep` — a saved webhook's types stay visible, marked deprecated).
 */
export async function eventTypeOptionsFor(
  db: DbOrTx,
  companyId: string,
  keep: string[] = [],
): Promise<EventTypeOption[]> {
  const own = await listCompanyEventTypes(db, companyId, { includeDeprecated: true });
  return [
    ...EVENT_TYPES.map((e) => optionOf(builtIn(e))),
    ...own.filter((r) => !r.deprecatedAt || keep.includes(r.type)).map((r) => optionOf(fromRow(r))),
  ];
}

/** The "Send a test event" dialog's options: every type the company can send, with its sample record. */
export async function testEventTypeOptions(
  db: DbOrTx,
  companyId: string,
): Promise<(EventTypeOption & { sample: EventTypeInfo["sample"] })[]> {
  const own = await listCompanyEventTypes(db, companyId);
  return [...EVENT_TYPES.map(builtIn), ...own.map(fromRow)].map((e) => ({ ...optionOf(e), sample: e.sample }));
}

function optionOf(e: CompanyEventTypeInfo): EventTypeOption {
  return {
    type: e.type,
    entity: e.entity,
    label: e.deprecated ? `${e.label} (deprecated)` : e.label,
    description: e.description,
    fields: fieldPaths(e.sample.data),
    sampleValues: sampleValues(e.sample.data),
    ...(e.custom ? { custom: true } : {}),
  };
}

/**
 * The events API's check of event types: each event's type is known to the company, and its data meets
 * the type's schema when it has one. Returns the first problem as an index, a field and a message.
 */
export async function checkEventTypes(
  db: DbOrTx,
  companyId: string,
  events: { type: string; data: Record<string, unknown> }[],
): Promise<{ index: number; field: string; message: string } | null> {
  const known = await resolveEventTypes(
    db,
    companyId,
    events.map((e) => e.type),
  );
  for (let i = 0; i < events.length; i++) {
    const info = known.get(events[i].type);
    if (!info) return { index: i, field: "type", message: UNKNOWN_TYPE_MESSAGE };
    if (info.schema) {
      const problem = schemaViolation(info.schema, events[i].data);
      if (problem) return { index: i, field: problem.split(" ")[0], message: `${problem} (the ${info.type} schema)` };
    }
  }
  return null;
}

export const UNKNOWN_TYPE_MESSAGE =
  "Unknown event type: GET /api/v1/event-types lists the catalog's and your company's own";
