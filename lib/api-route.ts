import { z } from "zod";
import { isUuid } from "@/db/keyset";
import { getDb, getReadDb } from "@/db";
import { getBoss } from "@/jobs/boss";
import type { ActionDefinition, ActionDeps, ActionErrorCode, ActionResult, Caller } from "./action";
import { authenticateApiKey, refuseKey, type ApiCaller } from "./api-auth";
import { apiError, internalError, readJsonBody } from "./api-response";

/**
 * The management API's plumbing. An API key acts as the user who created it, in the key's
 * company: each request becomes the `Caller` `{ userId: createdBy, companyId }` and runs the same
 * `defineAction` as the forms, so the creator's current role (read from the database on every
 * request) decides. A key whose creator left the company or lost the permission gets 403.
 */
export interface ApiRequest {
  request: Request;
  key: ApiCaller;
  caller: Caller;
  deps: ActionDeps;
  /** Runs an action as the key's creator. */
  run<T>(action: ActionDefinition<z.ZodType, T>, input: unknown): Promise<ActionResult<T>>;
}

type RouteContext<P> = { params: Promise<P> };

/** HTTP status of each action error; `code` in the JSON body is the same word (401 says "unauthorized"). */
const STATUS: Record<ActionErrorCode, number> = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid: 422,
  conflict: 409,
};

export function apiDeps(): ActionDeps {
  return { db: getDb(), readDb: getReadDb(), boss: getBoss };
}

/** The key's creator as the caller; null when the creator's user no longer exists. */
export function callerOfKey(key: ApiCaller): Caller | null {
  return key.createdBy ? { userId: key.createdBy, companyId: key.companyId } : null;
}

/**
 * Wraps a route handler: authenticates the key, hands over the caller and the route's params,
 * and turns anything unexpected into a JSON 500 (503 while the database is unreachable).
 */
export function apiRoute<P extends Record<string, string> = Record<string, string>>(
  handler: (api: ApiRequest, params: P) => Promise<Response>,
) {
  return async (request: Request, context?: RouteContext<P>): Promise<Response> => {
    try {
      const deps = apiDeps();
      const key = await authenticateApiKey(deps.db, request.headers.get("authorization"));
      if (!key) return await refuseKey(deps.db, request);
      const caller = callerOfKey(key);
      if (!caller)
        return apiError(
          403,
          "forbidden",
          "The user who created this API key no longer exists; create a new key",
          "authorization",
        );
      const params = ((await context?.params) ?? {}) as P;
      return await handler(
        { request, key, caller, deps, run: (action, input) => action.run(deps, caller, input) },
        params,
      );
    } catch (err) {
      return internalError(err);
    }
  };
}

/**
 * A refused action as JSON: `{ error: { code, message, field?, fields? } }`. `fields` holds every
 * field error by dotted path (`headers.0.name`), `field` the first one; errors of the body as a
 * whole are reported under `body`.
 */
export function actionFailure(result: {
  ok: false;
  code: ActionErrorCode;
  error: string;
  fieldErrors?: Record<string, string[]>;
}): Response {
  const fields = result.fieldErrors
    ? Object.fromEntries(Object.entries(result.fieldErrors).map(([k, v]) => [k === "_form" ? "body" : k, v]))
    : undefined;
  const field = fields ? Object.keys(fields)[0] : undefined;
  const code = result.code === "unauthenticated" ? "unauthorized" : result.code;
  return Response.json(
    { error: { code, message: result.error, ...(field ? { field } : {}), ...(fields ? { fields } : {}) } },
    { status: STATUS[result.code] },
  );
}

/** The action's data through `render` on success (status 200 unless given), its JSON error otherwise. */
export function respond<T>(result: ActionResult<T>, render: (data: T) => unknown, status = 200): Response {
  if (!result.ok) return actionFailure(result);
  return status === 204 ? new Response(null, { status }) : Response.json(render(result.data), { status });
}

/** Ids in paths are UUIDs; anything else is a 404 (never a 500 from the database's uuid cast). */
export const isId = (value: string | undefined): value is string => isUuid(value);

export function notFound(what: string): Response {
  return apiError(404, "not_found", `${what} not found`);
}

/** A JSON object body (400 for anything else: malformed JSON, an array, a string …; 413 over 1 MiB). */
export async function readObjectBody(
  request: Request,
  options: { allowEmpty?: boolean } = {},
): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; response: Response }> {
  const read = await readJsonBody(request, options);
  if (!read.ok) return read;
  if (read.body === undefined) return { ok: true, body: {} };
  if (read.body === null || typeof read.body !== "object" || Array.isArray(read.body)) {
    return { ok: false, response: apiError(400, "malformed", "The body must be a JSON object", "body") };
  }
  return { ok: true, body: read.body as Record<string, unknown> };
}

/** Query parameters as a plain object (the first value of each), for an action's schema to parse. */
export function queryOf(request: Request, names: readonly string[]): Record<string, string> {
  const params = new URL(request.url).searchParams;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = params.get(name);
    if (value !== null && value !== "") out[name] = value;
  }
  return out;
}
