import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { companyEventTypes, webhooks, type CompanyEventType } from "@/db/schema";

/** A company's own event types, by module then type; deprecated ones only when asked. */
export function listCompanyEventTypes(
  db: DbOrTx,
  companyId: string,
  opts: { includeDeprecated?: boolean } = {},
): Promise<CompanyEventType[]> {
  return db
    .select()
    .from(companyEventTypes)
    .where(
      and(
        eq(companyEventTypes.companyId, companyId),
        opts.includeDeprecated ? undefined : isNull(companyEventTypes.deprecatedAt),
      ),
    )
    .orderBy(asc(companyEventTypes.module), asc(companyEventTypes.type));
}

/** Those of the given types the company registered (deprecated ones too: their events are still accepted). */
export function findCompanyEventTypes(db: DbOrTx, companyId: string, types: string[]): Promise<CompanyEventType[]> {
  if (!types.length) return Promise.resolve([]);
  return db
    .select()
    .from(companyEventTypes)
    .where(and(eq(companyEventTypes.companyId, companyId), inArray(companyEventTypes.type, types)));
}

export function getCompanyEventType(db: DbOrTx, companyId: string, id: string) {
  return db
    .select()
    .from(companyEventTypes)
    .where(and(eq(companyEventTypes.companyId, companyId), eq(companyEventTypes.id, id)))
    .then((rows) => rows[0]);
}

export type EventTypeRow = Pick<CompanyEventType, "type" | "label" | "description" | "module" | "schema" | "sample">;

export async function insertCompanyEventType(
  db: DbOrTx,
  companyId: string,
  createdBy: string | null,
  row: EventTypeRow,
): Promise<CompanyEventType | null> {
  const [created] = await db
    .insert(companyEventTypes)
    .values({ companyId, createdBy, ...row })
    .onConflictDoNothing()
    .returning();
  return created ?? null;
}

export async function updateCompanyEventType(
  db: DbOrTx,
  companyId: string,
  id: string,
  row: Partial<Omit<EventTypeRow, "type">> & { deprecatedAt?: Date | null },
): Promise<CompanyEventType | undefined> {
  const [updated] = await db
    .update(companyEventTypes)
    .set({ ...row, updatedAt: new Date() })
    .where(and(eq(companyEventTypes.companyId, companyId), eq(companyEventTypes.id, id)))
    .returning();
  return updated;
}

export async function deleteCompanyEventType(db: DbOrTx, companyId: string, id: string) {
  const [deleted] = await db
    .delete(companyEventTypes)
    .where(and(eq(companyEventTypes.companyId, companyId), eq(companyEventTypes.id, id)))
    .returning();
  return deleted;
}

/** The company's webhooks (names) that listen to a type: a type in use is deprecated, not deleted. */
export function webhooksListeningTo(db: DbOrTx, companyId: string, type: string) {
  return db
    .select({ id: webhooks.id, name: webhooks.name })
    .from(webhooks)
    .where(and(eq(webhooks.companyId, companyId), sql`${type} = any(${webhooks.eventTypes})`))
    .orderBy(asc(webhooks.name));
}

/** How many of the company's webhooks listen to each of its types. */
export async function webhookCountsByType(db: DbOrTx, companyId: string): Promise<Map<string, number>> {
  const rows = await db.execute<{ type: string; n: number }>(sql`
    select t as type, count(*)::int as n from ${webhooks}, unnest(${webhooks.eventTypes}) t
    where ${webhooks.companyId} = ${companyId} group by t`);
  return new Map([...rows].map((r) => [r.type, r.n]));
}
