import "server-only";
import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb, getReadDb, type Database } from "@/db";
import { envIsSet } from "./env";
import { getBoss } from "@/jobs/boss";
import type { ActionDefinition, ActionDeps, ActionResult, Caller } from "./action";
import { auth } from "./auth";
import { can, loadActor, type Actor } from "./authz";
import type { Permission } from "./permissions";
import type { z } from "zod";

/** The cookie that remembers which of the user's companies they are working in. */
export const COMPANY_COOKIE = "hr_company";

export function actionDeps(): ActionDeps {
  return { db: getDb(), boss: getBoss };
}

/**
 * The caller of this request: the session's user id and the company they chose (not yet checked).
 * Once per request (React `cache`): the layout, the page and an action share one session check.
 */
export const getCaller = cache(async (): Promise<Caller> => {
  const session = await auth();
  const jar = await cookies();
  return { userId: session?.user?.id ?? null, companyId: jar.get(COMPANY_COOKIE)?.value ?? null };
});

/** The membership, read from the database once per request and shared by the layout and the page. */
const actorOf = cache((userId: string, companyId: string | null) => loadActor(getDb(), userId, companyId));

/** For pages: the signed-in actor (membership read from the database now), or a redirect to sign in. */
export async function requireActor(): Promise<Actor> {
  const caller = await getCaller();
  if (!caller.userId) redirect("/sign-in");
  const actor = await actorOf(caller.userId, caller.companyId ?? null);
  if (!actor) redirect("/sign-in?error=no-company");
  return actor;
}

export async function pageAccess(permission: Permission): Promise<{ actor: Actor; allowed: boolean }> {
  const actor = await requireActor();
  return { actor, allowed: can(actor, permission) };
}

/**
 * Runs a defined action for the current request. The action itself loads the membership, checks
 * the permission and only then parses the input; this only supplies the session and the dependencies.
 */
export async function runAction<S extends z.ZodType, T>(
  def: ActionDefinition<S, T>,
  input: unknown,
): Promise<ActionResult<T>> {
  const result = await def.run(actionDeps(), await withCurrentCompany(await getCaller()), input);
  // Only with a replica: setting a cookie in a server action makes Next.js render the page again.
  if (result.ok && envIsSet("DATABASE_READ_URL")) await readPrimaryForAWhile();
  return result;
}

/**
 * After this browser changed something, its pages read the primary for a few seconds (listingDb), so
 * the list it goes back to shows the change even when the replica is a moment behind.
 */
const READ_PRIMARY_COOKIE = "hr_read_primary";
const READ_PRIMARY_SECONDS = 10;

async function readPrimaryForAWhile(): Promise<void> {
  try {
    (await cookies()).set(READ_PRIMARY_COOKIE, "1", {
      maxAge: READ_PRIMARY_SECONDS,
      httpOnly: true,
      sameSite: "lax",
      path: "/",
    });
  } catch {
    // Not in a server action (a page's render cannot set cookies): nothing was changed by this browser.
  }
}

/**
 * Where a page's history and lists read: the replica (getReadDb, DATABASE_READ_URL) — or the primary
 * for a few seconds after this browser saved something, which a lagging replica might not show yet.
 */
export async function listingDb(): Promise<Database> {
  if (!envIsSet("DATABASE_READ_URL")) return getDb();
  return (await cookies()).has(READ_PRIMARY_COOKIE) ? getDb() : getReadDb();
}

/**
 * For an action that changes nothing and is asked for often (the webhook form's live preview): the
 * action's own membership check is the only database round trip before it acts. The look-up that
 * runAction makes first for a stale company cookie is made only when that check refuses, and then
 * the action runs again in the company the user falls back to.
 */
export async function runReadOnlyAction<S extends z.ZodType, T>(
  def: ActionDefinition<S, T>,
  input: unknown,
): Promise<ActionResult<T>> {
  const caller = await getCaller();
  const result = await def.run(actionDeps(), caller, input);
  if (result.ok || result.code !== "forbidden" || !caller.userId || !caller.companyId) return result;
  const fallback = await withCurrentCompany(caller);
  return fallback.companyId === caller.companyId ? result : def.run(actionDeps(), fallback, input);
}

/** A stale company cookie (membership removed) falls back to the user's first company. */
async function withCurrentCompany(caller: Caller): Promise<Caller> {
  if (!caller.userId || !caller.companyId) return caller;
  const actor = await actorOf(caller.userId, caller.companyId);
  return actor ? { ...caller, companyId: actor.companyId } : caller;
}
