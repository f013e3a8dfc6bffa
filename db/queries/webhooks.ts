import { and, asc, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { oauthCredentials, users, webhooks } from "@/db/schema";

export const WEBHOOK_SORTS = ["created", "name", "lastSent"] as const;
export type WebhookSort = (typeof WEBHOOK_SORTS)[number];

export interface ListWebhooksParams {
  q?: string;
  sort?: WebhookSort;
  dir?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

/** `%`/`_` typed by a user are literal characters, not wildcards. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of a company's webhooks for the listing: search by name or URL, sort, page. Only the
 * columns the listing shows (never config or secrets). Sorting by created uses the
 * (company_id, created_at, id) index; a company has at most thousands of webhooks, for which an
 * offset page is a few milliseconds.
 */
export async function listWebhooks(db: DbOrTx, companyId: string, params: ListWebhooksParams = {}) {
  const pageSize = Math.min(Math.max(params.pageSize ?? 20, 1), 100);
  const page = Math.max(params.page ?? 1, 1);
  const filters: SQL[] = [eq(webhooks.companyId, companyId)];
  const q = params.q?.trim();
  if (q) filters.push(or(ilike(webhooks.name, likePattern(q)), ilike(webhooks.url, likePattern(q)))!);
  const where = and(...filters);
  const dir = params.dir === "asc" ? asc : desc;
  const order =
    params.sort === "name"
      ? [dir(sql`lower(${webhooks.name})`), asc(webhooks.id)]
      : params.sort === "lastSent"
        ? [
            params.dir === "asc"
              ? sql`${webhooks.lastSentAt} asc nulls first`
              : sql`${webhooks.lastSentAt} desc nulls last`,
            asc(webhooks.id),
          ]
        : [dir(webhooks.createdAt), dir(webhooks.id)];
  const [rows, [{ total }]] = await Promise.all([
    db
      .select({
        id: webhooks.id,
        name: webhooks.name,
        description: webhooks.description,
        active: webhooks.active,
        eventTypes: webhooks.eventTypes,
        method: webhooks.method,
        url: webhooks.url,
        lastSentAt: webhooks.lastSentAt,
        lastStatus: webhooks.lastStatus,
        lastStatusCode: webhooks.lastStatusCode,
        disabledReason: webhooks.disabledReason,
        createdAt: webhooks.createdAt,
      })
      .from(webhooks)
      .where(where)
      .orderBy(...order)
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db
      .select({ total: sql<number>`count(*)::int` })
      .from(webhooks)
      .where(where),
  ]);
  return { rows, total, page, pageSize, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}
export type WebhookListRow = Awaited<ReturnType<typeof listWebhooks>>["rows"][number];

/** The webhook of this company, or null (another company's id is simply not found). */
export async function getCompanyWebhook(db: DbOrTx, companyId: string, webhookId: string) {
  const [row] = await db
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.companyId, companyId), eq(webhooks.id, webhookId)));
  return row ?? null;
}

export async function getWebhookCreator(db: DbOrTx, userId: string | null) {
  if (!userId) return null;
  const [row] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
  return row ?? null;
}

export async function listOAuthCredentials(db: DbOrTx, companyId: string) {
  const rows = await db
    .select({
      id: oauthCredentials.id,
      name: oauthCredentials.name,
      tokenUrl: oauthCredentials.tokenUrl,
      method: oauthCredentials.method,
      parameters: oauthCredentials.parameters,
      tokenExpiresAt: oauthCredentials.tokenExpiresAt,
      hasToken: sql<boolean>`${oauthCredentials.accessTokenEncrypted} is not null`,
      lastError: oauthCredentials.lastError,
      lastErrorAt: oauthCredentials.lastErrorAt,
      grantType: oauthCredentials.grantType,
      authorizeUrl: oauthCredentials.authorizeUrl,
      clientId: oauthCredentials.clientId,
      hasClientSecret: sql<boolean>`${oauthCredentials.clientSecretEncrypted} is not null`,
      scopes: oauthCredentials.scopes,
      pkce: oauthCredentials.pkce,
      connectedAt: oauthCredentials.connectedAt,
      needsReconnectAt: oauthCredentials.needsReconnectAt,
      needsReconnectReason: oauthCredentials.needsReconnectReason,
      createdAt: oauthCredentials.createdAt,
      updatedAt: oauthCredentials.updatedAt,
    })
    .from(oauthCredentials)
    .where(eq(oauthCredentials.companyId, companyId))
    .orderBy(asc(oauthCredentials.name));
  const usage = rows.length
    ? await db
        .select({ credentialId: webhooks.oauthCredentialId, id: webhooks.id, name: webhooks.name })
        .from(webhooks)
        .where(
          and(
            eq(webhooks.companyId, companyId),
            inArray(
              webhooks.oauthCredentialId,
              rows.map((r) => r.id),
            ),
          ),
        )
    : [];
  return rows.map((r) => ({
    ...r,
    usedBy: usage.filter((u) => u.credentialId === r.id).map((u) => ({ id: u.id, name: u.name })),
  }));
}

export async function getCompanyOAuthCredential(db: DbOrTx, companyId: string, credentialId: string) {
  const [row] = await db
    .select()
    .from(oauthCredentials)
    .where(and(eq(oauthCredentials.companyId, companyId), eq(oauthCredentials.id, credentialId)));
  return row ?? null;
}

export async function webhooksUsingCredential(db: DbOrTx, companyId: string, credentialId: string) {
  return db
    .select({ id: webhooks.id, name: webhooks.name })
    .from(webhooks)
    .where(and(eq(webhooks.companyId, companyId), eq(webhooks.oauthCredentialId, credentialId)))
    .orderBy(asc(webhooks.name));
}

/** Writes a new webhook row (lib/webhooks/row.ts fills it from a configuration). */
export async function insertWebhookRow(db: DbOrTx, values: typeof webhooks.$inferInsert) {
  const [row] = await db.insert(webhooks).values(values).returning();
  return row;
}

/** Changes a webhook row's columns; `updatedAt` moves on. */
export async function updateWebhookRow(db: DbOrTx, webhookId: string, set: Partial<typeof webhooks.$inferInsert>) {
  await db
    .update(webhooks)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(webhooks.id, webhookId));
}

/** Deletes a company's webhook; what it was (for the audit entry), or null when there is none. */
export async function deleteCompanyWebhook(db: DbOrTx, companyId: string, webhookId: string) {
  const [row] = await db
    .delete(webhooks)
    .where(and(eq(webhooks.companyId, companyId), eq(webhooks.id, webhookId)))
    .returning({ id: webhooks.id, name: webhooks.name, url: webhooks.url });
  return row ?? null;
}
