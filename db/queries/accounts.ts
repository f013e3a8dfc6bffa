import { and, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { authFailures, passwordResets, revokedSessions, users } from "@/db/schema";

/**
 * Sessions, failure counters and reset links: the statements behind lib/account-security.ts.
 */

/** Whether a session (user, its `sid`, the version it was issued under) may still be used. */
export async function sessionIsCurrent(db: DbOrTx, userId: string, sid: string, version: number): Promise<boolean> {
  const [row] = await db.execute<{ ok: boolean }>(sql`
    select u.session_version = ${version} and not exists (select 1 from ${revokedSessions} r where r.sid = ${sid}) as ok
    from ${users} u where u.id = ${userId}`);
  return row?.ok === true;
}

/** Ends one session (sign-out); expired entries are cleared on the way. */
export async function revokeSession(db: DbOrTx, sid: string, expiresAt: Date): Promise<void> {
  await db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, new Date()));
  await db.insert(revokedSessions).values({ sid, expiresAt }).onConflictDoNothing();
}

/** Ends every session of the user: their version moves on, and no JWT issued before carries it. */
export async function endAllSessions(db: DbOrTx, userId: string): Promise<number> {
  const [row] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning({ version: users.sessionVersion });
  return row?.version ?? 0;
}

export interface FailureCount {
  key: string;
  count: number;
  /** When the window (and so the count) ends. */
  resetsAt: Date;
}

/** The failures counted against each key in its current window (keys without any are left out). */
export async function failuresOf(db: DbOrTx, keys: string[], windowSeconds: number): Promise<FailureCount[]> {
  if (keys.length === 0) return [];
  return db
    .select({
      key: authFailures.key,
      count: authFailures.count,
      resetsAt: sql<Date>`${authFailures.windowStart} + make_interval(secs => ${windowSeconds})`.mapWith(
        (v: string | Date) => new Date(v),
      ),
    })
    .from(authFailures)
    .where(
      and(
        inArray(authFailures.key, keys),
        sql`${authFailures.windowStart} > now() - make_interval(secs => ${windowSeconds})`,
      ),
    );
}

/**
 * Counts one failure against each key: a key whose window ended starts a new one. Returns the counts
 * after this failure. One statement, so concurrent failures in any number of processes all count.
 */
export async function recordFailure(db: DbOrTx, keys: string[], windowSeconds: number): Promise<FailureCount[]> {
  if (keys.length === 0) return [];
  const fresh = sql`f.window_start > now() - make_interval(secs => ${windowSeconds})`;
  const rows = await db.execute<{ key: string; count: number; resets_at: string }>(sql`
    insert into ${authFailures} as f (key, window_start, count)
    select k, now(), 1 from unnest(${sql`array[${sql.join(
      keys.map((k) => sql`${k}`),
      sql`, `,
    )}]::text[]`}) as k
    on conflict (key) do update set
      count = case when ${fresh} then f.count + 1 else 1 end,
      window_start = case when ${fresh} then f.window_start else now() end
    returning key, count, window_start + make_interval(secs => ${windowSeconds}) as resets_at`);
  return rows.map((r) => ({ key: r.key, count: Number(r.count), resetsAt: new Date(r.resets_at) }));
}

/** Forgets a key's failures (a successful sign-in clears its account's count). */
export async function clearFailures(db: DbOrTx, key: string): Promise<void> {
  await db.delete(authFailures).where(eq(authFailures.key, key));
}

/** Counters whose window ended a day ago and reset links a day past their expiry: nothing reads them. */
export async function purgeAccountLeftovers(db: DbOrTx): Promise<void> {
  await db.delete(authFailures).where(lt(authFailures.windowStart, sql`now() - interval '1 day'`));
  await db.delete(passwordResets).where(lt(passwordResets.expiresAt, sql`now() - interval '1 day'`));
}

export async function insertPasswordReset(
  db: DbOrTx,
  userId: string,
  tokenHash: string,
  expiresAt: Date,
): Promise<void> {
  await db.insert(passwordResets).values({ userId, tokenHash, expiresAt });
}

/** An unused, unexpired reset link by its token's hash, with the user it is for. */
export async function findOpenPasswordReset(db: DbOrTx, tokenHash: string) {
  const [row] = await db
    .select({ id: passwordResets.id, userId: passwordResets.userId, email: users.email })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(
      and(
        eq(passwordResets.tokenHash, tokenHash),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, new Date()),
      ),
    );
  return row ?? null;
}

/** Marks a reset link used; false when another request used it first. */
export async function claimPasswordReset(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db
    .update(passwordResets)
    .set({ usedAt: new Date() })
    .where(and(eq(passwordResets.id, id), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, new Date())))
    .returning({ id: passwordResets.id });
  return rows.length === 1;
}

/** Every other open link of the user stops working once one is used (or the password changes). */
export async function closePasswordResets(db: DbOrTx, userId: string): Promise<void> {
  await db
    .update(passwordResets)
    .set({ usedAt: new Date() })
    .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
}
