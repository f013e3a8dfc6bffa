import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { apiKeys, auditLog, companies, invitations, memberships, users, webhooks } from "@/db/schema";
import { encodeCursor, isUuid, type KeysetCursor } from "@/db/keyset";
import type { AuditEntry } from "@/lib/audit";

/** The audit log's filter groups and the shape of an entry live in lib/audit.ts (the components read them there). */
export { AUDIT_TARGET_GROUPS, isAuditTargetGroup, type AuditEntry, type AuditTargetGroup } from "@/lib/audit";

export const AUDIT_PAGE_SIZE = 50;

export interface ListAuditLogParams {
  /** Only these target types (already narrowed to what the viewer may see); empty → nothing. */
  targetTypes: readonly string[];
  /** Entries older than this cursor (the next page). */
  after?: KeysetCursor | null;
  /** Entries newer than this cursor (the previous page). */
  before?: KeysetCursor | null;
  limit?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the newer page; null on the newest page. */
  newer: string | null;
  /** Pass as `after` for the older page; null on the oldest page. */
  older: string | null;
}

/**
 * One page of a company's audit log, newest first, ordered by (created_at desc, id desc) with
 * keyset pagination: `created_at <= cursor` is a range on audit_log_company_idx (company_id,
 * created_at), and the id breaks ties between entries of the same microsecond. The actor's name
 * and email come from users (left join: the actor may be gone).
 */
export async function listAuditLog(db: DbOrTx, companyId: string, params: ListAuditLogParams): Promise<AuditPage> {
  const limit = Math.min(Math.max(params.limit ?? AUDIT_PAGE_SIZE, 1), 200);
  if (params.targetTypes.length === 0) return { entries: [], newer: null, older: null };
  const backwards = !params.after && Boolean(params.before);
  const cursor = params.after ?? params.before ?? null;
  const filters: SQL[] = [eq(auditLog.companyId, companyId), inArray(auditLog.targetType, [...params.targetTypes])];
  if (cursor) {
    const at = sql`${cursor.at}::timestamptz`;
    const id = sql`${cursor.id}::uuid`;
    filters.push(
      backwards
        ? and(sql`${auditLog.createdAt} >= ${at}`, or(sql`${auditLog.createdAt} > ${at}`, sql`${auditLog.id} > ${id}`))!
        : and(
            sql`${auditLog.createdAt} <= ${at}`,
            or(sql`${auditLog.createdAt} < ${at}`, sql`${auditLog.id} < ${id}`),
          )!,
    );
  }
  const dir = backwards ? asc : desc;
  const rows = await db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      details: auditLog.details,
      createdAt: auditLog.createdAt,
      at: sql<string>`to_char(${auditLog.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      actorName: users.name,
      actorEmail: users.email,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .where(and(...filters))
    .orderBy(dir(auditLog.createdAt), dir(auditLog.id))
    .limit(limit + 1);

  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (backwards) page.reverse();
  const cursorOf = (r: (typeof page)[number]) => encodeCursor({ at: r.at, id: r.id });
  const first = page[0];
  const last = page[page.length - 1];
  // Arriving from an older page (after) or a newer one (before), the page we came from exists.
  const hasNewer = backwards ? more : Boolean(params.after);
  const hasOlder = backwards ? true : more;

  const names = await resolveTargetNames(db, companyId, page);
  return {
    entries: page.map((r) => ({
      id: r.id,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      details: r.details,
      createdAt: r.createdAt,
      actor: r.actorEmail !== null ? { name: r.actorName ?? "", email: r.actorEmail } : null,
      targetName: names.target.get(r.id) ?? null,
      sourceName: names.source.get(r.id) ?? null,
    })),
    newer: hasNewer && first ? cursorOf(first) : null,
    older: hasOlder && last ? cursorOf(last) : null,
  };
}

function nonEmpty(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function uuidOf(value: unknown): string | null {
  return isUuid(value) ? value : null;
}

/**
 * The entries' targets in words. Most entries carry the name in their details (it survives the
 * target's deletion); the few that do not (a revoked API key, a revoked invitation, a member) are
 * looked up, a query per kind for the whole page, always within the company.
 */
async function resolveTargetNames(
  db: DbOrTx,
  companyId: string,
  rows: { id: string; action: string; targetType: string; targetId: string | null; details: Record<string, unknown> }[],
) {
  const target = new Map<string, string>();
  const source = new Map<string, string>();
  const lookups = {
    api_key: new Set<string>(),
    invitation: new Set<string>(),
    membership: new Set<string>(),
    user: new Set<string>(),
    webhook: new Set<string>(),
  };
  for (const r of rows) {
    const named =
      nonEmpty(r.details.name) ??
      (r.targetType === "role" ? nonEmpty(r.details.role) : null) ??
      (r.targetType === "invitation" ? nonEmpty(r.details.email) : null) ??
      (r.targetType === "event_type" ? nonEmpty(r.details.type) : null);
    if (named) target.set(r.id, named);
    const id = uuidOf(r.targetId);
    if (!named && id && (r.targetType === "api_key" || r.targetType === "invitation" || r.targetType === "membership"))
      lookups[r.targetType].add(id);
    const userId = uuidOf(r.details.userId);
    if (r.targetType === "membership" && userId) lookups.user.add(userId);
    const from = uuidOf(r.details.from);
    if (r.action === "webhook.duplicated" && from) lookups.webhook.add(from);
  }
  const [keyRows, invitationRows, memberRows, userRows, webhookRows, companyRows] = await Promise.all([
    lookups.api_key.size
      ? db
          .select({ id: apiKeys.id, name: apiKeys.name })
          .from(apiKeys)
          .where(and(eq(apiKeys.companyId, companyId), inArray(apiKeys.id, [...lookups.api_key])))
      : [],
    lookups.invitation.size
      ? db
          .select({ id: invitations.id, name: invitations.email })
          .from(invitations)
          .where(and(eq(invitations.companyId, companyId), inArray(invitations.id, [...lookups.invitation])))
      : [],
    lookups.membership.size
      ? db
          .select({ id: memberships.id, name: users.name })
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .where(and(eq(memberships.companyId, companyId), inArray(memberships.id, [...lookups.membership])))
      : [],
    // A removed member's membership is gone; their user id is in the details.
    lookups.user.size
      ? db
          .select({ id: users.id, name: users.name })
          .from(users)
          .where(inArray(users.id, [...lookups.user]))
      : [],
    lookups.webhook.size
      ? db
          .select({ id: webhooks.id, name: webhooks.name })
          .from(webhooks)
          .where(and(eq(webhooks.companyId, companyId), inArray(webhooks.id, [...lookups.webhook])))
      : [],
    rows.some((r) => r.targetType === "company")
      ? db.select({ id: companies.id, name: companies.name }).from(companies).where(eq(companies.id, companyId))
      : [],
  ]);
  const keyed = (type: string, list: { id: string; name: string }[]) =>
    list.map((r): [string, string] => [`${type}:${r.id}`, r.name]);
  const byTarget = new Map([
    ...keyed("api_key", keyRows),
    ...keyed("invitation", invitationRows),
    ...keyed("membership", memberRows),
    ...keyed("company", companyRows),
  ]);
  const usersById = new Map(userRows.map((u) => [u.id, u.name]));
  const webhooksById = new Map(webhookRows.map((w) => [w.id, w.name]));
  for (const r of rows) {
    if (!target.has(r.id)) {
      const name =
        byTarget.get(`${r.targetType}:${r.targetId}`) ??
        (r.targetType === "membership" ? usersById.get(String(r.details.userId)) : undefined);
      if (name) target.set(r.id, name);
    }
    const from = r.action === "webhook.duplicated" ? webhooksById.get(String(r.details.from)) : undefined;
    if (from) source.set(r.id, from);
  }
  return { target, source };
}
