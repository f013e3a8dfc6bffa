import type { z } from "zod";
import type { PgBoss } from "pg-boss";
import type { Database } from "@/db";
import { can, loadActor, type Actor } from "./authz";
import { permissionLabel, type Permission } from "./permissions";
import { findUnstorable } from "./validations/storable";

/**
 * Every server action and API route goes through `defineAction`: parse the input with its zod
 * schema → load the caller's membership from the database → check the permission in the company
 * that owns the row → act. The handler only ever sees a checked actor, and looks rows up with
 * `companyId = actor.companyId`, so another company's ids simply are not found.
 */
export type ActionErrorCode = "unauthenticated" | "forbidden" | "not_found" | "invalid" | "conflict";

export type ActionResult<T = null> =
  | { ok: true; data: T; message?: string }
  | { ok: false; code: ActionErrorCode; error: string; fieldErrors?: Record<string, string[]> };

export class ActionError extends Error {
  constructor(
    public readonly code: ActionErrorCode,
    message: string,
    public readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "ActionError";
  }
}

/** Where the caller comes from: a session's user id (or none), and the company they work in. */
export interface Caller {
  userId: string | null;
  companyId?: string | null;
}

export interface ActionDeps {
  db: Database;
  boss: () => Promise<PgBoss>;
  /** Where the list actions read (db/index.ts getReadDb: a replica when DATABASE_READ_URL is set); unset: `db`. */
  readDb?: Database;
}

export interface ActionContext<A extends Actor | null> extends ActionDeps {
  actor: A;
}

type Access = Permission | "owner" | "member" | "public";

export interface ActionDefinition<S extends z.ZodType, T> {
  name: string;
  access: Access;
  schema: S;
  run(deps: ActionDeps, caller: Caller, rawInput: unknown): Promise<ActionResult<T>>;
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

export function ok<T>(data: T, message?: string): ActionResult<T> {
  return { ok: true, data, message };
}

export function defineAction<S extends z.ZodType, T, A extends Access>(def: {
  name: string;
  access: A;
  schema: S;
  handler: (
    ctx: ActionContext<A extends "public" ? Actor | null : Actor>,
    input: z.output<S>,
  ) => Promise<ActionResult<T>>;
}): ActionDefinition<S, T> {
  return {
    name: def.name,
    access: def.access,
    schema: def.schema,
    async run(deps, caller, rawInput) {
      try {
        let actor: Actor | null = null;
        if (def.access !== "public" || caller.userId) {
          if (caller.userId) actor = await loadActor(deps.db, caller.userId, caller.companyId, { strict: true });
          if (def.access !== "public") {
            if (!caller.userId) return fail("unauthenticated", "Sign in to continue");
            if (!actor) return fail("forbidden", "You are not a member of this company");
            if (def.access === "owner" && !actor.role.isOwner) return fail("forbidden", "Only owners can do this");
            if (def.access !== "owner" && def.access !== "member" && !can(actor, def.access)) {
              return fail("forbidden", `You need the ${permissionLabel(def.access)} permission to do this`);
            }
          }
        }
        // A NUL character, an unpaired surrogate or an infinite number would fail in the database (a 500).
        const unstorable = findUnstorable(rawInput);
        if (unstorable) {
          const field = unstorable.path || "_form";
          return {
            ok: false,
            code: "invalid",
            error: `${unstorable.path ? `${unstorable.path}: ` : ""}${unstorable.message}`,
            fieldErrors: { [field]: [unstorable.message] },
          };
        }
        const parsed = def.schema.safeParse(rawInput);
        if (!parsed.success) {
          const fieldErrors = fieldErrorsOf(parsed.error);
          const first = Object.entries(fieldErrors)[0];
          return {
            ok: false,
            code: "invalid",
            error: first ? `${first[0] === "_form" ? "" : `${first[0]}: `}${first[1][0]}` : "Invalid input",
            fieldErrors,
          };
        }
        return await def.handler(
          { ...deps, actor } as ActionContext<A extends "public" ? Actor | null : Actor>,
          parsed.data,
        );
      } catch (err) {
        if (err instanceof ActionError)
          return { ok: false, code: err.code, error: err.message, fieldErrors: err.fieldErrors };
        throw err;
      }
    },
  };
}

function fail(code: ActionErrorCode, error: string): ActionResult<never> {
  return { ok: false, code, error };
}
