import { createHash, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import { getDb, type Database } from "@/db";
import { companyUsage, PlanError, type CompanyPlan, type CompanyUsage } from "@/db/queries/plans";
import type { Plan } from "@/db/schema";
import { refuseKey } from "./api-auth";
import { apiError, internalError } from "./api-response";
import { env } from "./env";
import { UNLIMITED_DAILY_CALLS } from "./validations/settings";

/**
 * Plans as the operator API and the company side show them, and the operator API's key check. The operator
 * (whoever runs this Hookrelay) defines plans and assigns companies to them; companies only read theirs.
 */

export function planJson(plan: Plan & { companies?: number }) {
  return {
    id: plan.id,
    name: plan.name,
    webhooksEnabled: plan.webhooksEnabled,
    callsPerDay: plan.callsPerDay,
    callsPerUserPerDay: plan.callsPerUserPerDay,
    maxWebhooks: plan.maxWebhooks,
    isDefault: plan.isDefault,
    ...(plan.companies !== undefined ? { companies: plan.companies } : {}),
    createdAt: plan.createdAt.toISOString(),
    updatedAt: plan.updatedAt.toISOString(),
  };
}

/** What Settings → Plan & usage shows. */
export type PlanUsage = CompanyUsage;

export function companyPlanJson(plan: CompanyPlan) {
  return { ...plan };
}

export function usageJson(usage: CompanyUsage) {
  return { ...usage, plan: companyPlanJson(usage.plan) };
}

/** What a company has used of its plan today (a blank own daily limit reads as none). */
export function usageOf(db: Database, companyId: string, now = new Date()): Promise<CompanyUsage> {
  return companyUsage(db, companyId, now, UNLIMITED_DAILY_CALLS);
}

const PLAN_ERROR_STATUS = { invalid: 422, not_found: 404, conflict: 409 } as const;

export function planErrorResponse(err: PlanError): Response {
  return apiError(PLAN_ERROR_STATUS[err.code], err.code, err.message, err.field);
}

export function zodErrorResponse(error: z.ZodError): Response {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) (fields[issue.path.join(".") || "body"] ??= []).push(issue.message);
  const [field, messages] = Object.entries(fields)[0];
  return Response.json(
    { error: { code: "invalid", message: `${field}: ${messages[0]}`, field, fields } },
    { status: 422 },
  );
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Whether `presented` is the operator key, compared in constant time (as digests: the lengths never leak). */
export function isOperatorKey(presented: string, key: string): boolean {
  return timingSafeEqual(digest(presented), digest(key));
}

type RouteContext<P> = { params: Promise<P> };

/**
 * Wraps an operator API route: `Authorization: Bearer $HOOKRELAY_OPERATOR_KEY`. Unset on the server: 404 saying
 * the operator API is not configured. A missing or wrong key: 401 (and 429 after a burst from one address, like
 * company API keys). A PlanError becomes its status; anything unexpected a JSON 500 (503 without the database).
 */
export function operatorRoute<P extends Record<string, string> = Record<string, string>>(
  handler: (request: Request, db: Database, params: P) => Promise<Response>,
) {
  return async (request: Request, context?: RouteContext<P>): Promise<Response> => {
    try {
      const key = env.HOOKRELAY_OPERATOR_KEY;
      if (!key)
        return apiError(
          404,
          "not_found",
          "The operator API is not configured on this server: set HOOKRELAY_OPERATOR_KEY to use it",
        );
      const db = getDb();
      const presented = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (!presented || presented.length > 1000 || !isOperatorKey(presented, key))
        return await refuseKey(
          db,
          request,
          "Missing or wrong operator key: send Authorization: Bearer <HOOKRELAY_OPERATOR_KEY>",
        );
      return await handler(request, db, ((await context?.params) ?? {}) as P);
    } catch (err) {
      if (err instanceof PlanError) return planErrorResponse(err);
      return internalError(err);
    }
  };
}
