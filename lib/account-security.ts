import { setTimeout as wait } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import type { DbOrTx } from "@/db";
import { clearFailures, failuresOf, recordFailure, revokeSession, sessionIsCurrent } from "@/db/queries/accounts";
import { findUserByEmail } from "@/db/queries/companies";
import { hashPassword, verifyPassword } from "./passwords";
import { UNKNOWN_ADDRESS } from "./client-address";
import { signInSchema } from "./validations/auth";

/**
 * Accounts that resist guessing, and sessions that end when they should.
 *
 * Sign-in failures are counted in PostgreSQL per account and per client address over 15 minutes,
 * so the limit holds across every web process. From the 10th failure each answer waits a little
 * longer (1 s more per failure, at most 5 s); from the 20th, sign-in for that account or from that
 * address is refused without looking at the password until the window ends. A successful sign-in
 * clears its account's count (not its address's).
 *
 * Sessions are JWTs that carry the user's session version and their own id (`sid`); each request
 * checks both against the database, so sign-out (this session), a password change or reset and
 * removal from a company (every session) end them at once rather than when the JWT expires.
 */
export const SIGN_IN_WINDOW_SECONDS = 15 * 60;
export const SLOW_AFTER_FAILURES = 10;
export const REFUSE_AFTER_FAILURES = 20;
const SLOWDOWN_STEP_MS = 1000;
const MAX_SLOWDOWN_MS = 5000;

/** API keys: this many failures from one address within the window, then 429 until it ends. */
export const API_KEY_WINDOW_SECONDS = 60;
export const API_KEY_FAILURE_BURST = 20;

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (address: string) => `address:${address}`;
export const apiKeyAddressKey = (address: string) => `api-key:${address}`;

/** The counters a sign-in attempt reads and feeds: its account's, and its address's when it has one. */
const keysOf = (email: string, address: string) =>
  address === UNKNOWN_ADDRESS ? [accountKey(email)] : [accountKey(email), addressKey(address)];

export type SignInGate = { refused: true; retryAfterSeconds: number } | { refused: false; delayMs: number };

/** What the counts say about the next sign-in attempt for this account from this address. */
export async function signInGate(db: DbOrTx, email: string, address: string): Promise<SignInGate> {
  const counts = await failuresOf(db, keysOf(email, address), SIGN_IN_WINDOW_SECONDS);
  const worst = counts.reduce((m, c) => Math.max(m, c.count), 0);
  if (worst >= REFUSE_AFTER_FAILURES) {
    const until = Math.max(...counts.filter((c) => c.count >= REFUSE_AFTER_FAILURES).map((c) => c.resetsAt.getTime()));
    return { refused: true, retryAfterSeconds: Math.max(1, Math.ceil((until - Date.now()) / 1000)) };
  }
  const over = worst - SLOW_AFTER_FAILURES + 1;
  return { refused: false, delayMs: over > 0 ? Math.min(MAX_SLOWDOWN_MS, over * SLOWDOWN_STEP_MS) : 0 };
}

export function throttledMessage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or reset your password.`;
}

let dummy: Promise<string> | null = null;
const dummyHash = () => (dummy ??= hashPassword("not-a-real-password-0"));

export type AuthorizeOutcome =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Checks an email and password for sign-in, throttled as described above. `pause` waits out the
 * slowdown (injectable for tests). Unknown emails are compared against a dummy hash at the same
 * cost and counted like known ones, so neither timing nor throttling tells which emails exist.
 */
export async function authorizeCredentials(
  db: DbOrTx,
  raw: unknown,
  address: string,
  pause: (ms: number) => Promise<unknown> = wait,
): Promise<AuthorizeOutcome> {
  const parsed = signInSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: "invalid" };
  const { email, password } = parsed.data;
  const gate = await signInGate(db, email, address);
  if (gate.refused) return { ok: false, reason: "throttled", retryAfterSeconds: gate.retryAfterSeconds };
  if (gate.delayMs > 0) await pause(gate.delayMs);
  const user = await findUserByEmail(db, email);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !valid) {
    await recordFailure(db, keysOf(email, address), SIGN_IN_WINDOW_SECONDS);
    return { ok: false, reason: "invalid" };
  }
  await clearFailures(db, accountKey(email));
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion } };
}

/** What a session's JWT carries beyond the user id. */
export interface SessionClaims {
  sub?: string;
  sid?: unknown;
  sv?: unknown;
}

export function newSessionClaims(sessionVersion: number): { sid: string; sv: number } {
  return { sid: randomUUID(), sv: sessionVersion };
}

/** Whether the JWT's session still stands: issued under the user's current version and not signed out. */
export async function sessionStands(db: DbOrTx, claims: SessionClaims): Promise<boolean> {
  if (!claims.sub || typeof claims.sid !== "string" || typeof claims.sv !== "number") return false;
  return sessionIsCurrent(db, claims.sub, claims.sid, claims.sv);
}

/** Sign-out: this session ends now (other devices stay signed in). */
export async function endSession(db: DbOrTx, claims: SessionClaims & { exp?: number }): Promise<void> {
  if (typeof claims.sid !== "string") return;
  const expiresAt = new Date((claims.exp ?? Date.now() / 1000 + 30 * 86_400) * 1000);
  await revokeSession(db, claims.sid, expiresAt);
}

/**
 * API-key failures from one address: counts this one and says whether the address is over its
 * burst (then 429 with the seconds until the window ends). Addresses found over it are remembered
 * in this process until their window ends, so a flood of bad keys does not become a flood of writes.
 */
const blockedAddresses = new Map<string, number>();

export async function apiKeyFailed(
  db: DbOrTx,
  address: string,
): Promise<{ limited: boolean; retryAfterSeconds: number }> {
  // A request with no address at all never came through a server (a handler called in-process).
  if (address === UNKNOWN_ADDRESS) return { limited: false, retryAfterSeconds: 0 };
  const now = Date.now();
  const blockedUntil = blockedAddresses.get(address);
  if (blockedUntil && blockedUntil > now)
    return { limited: true, retryAfterSeconds: Math.ceil((blockedUntil - now) / 1000) };
  if (blockedUntil) blockedAddresses.delete(address);
  const [row] = await recordFailure(db, [apiKeyAddressKey(address)], API_KEY_WINDOW_SECONDS);
  if (row.count <= API_KEY_FAILURE_BURST) return { limited: false, retryAfterSeconds: 0 };
  if (blockedAddresses.size > 10_000) blockedAddresses.clear();
  blockedAddresses.set(address, row.resetsAt.getTime());
  return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil((row.resetsAt.getTime() - now) / 1000)) };
}
