import { deletePlan, findPlan, updatePlan } from "@/db/queries/plans";
import { readObjectBody } from "@/lib/api-route";
import { apiError } from "@/lib/api-response";
import { operatorRoute, planJson, zodErrorResponse } from "@/lib/plans";
import { planPatchSchema } from "@/lib/validations/plan";

export const dynamic = "force-dynamic";

/** The path's plan: an id, or a name (percent-encoded or not). */
function planRef(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/** `{id}` is the plan's id or its name. */
export const GET = operatorRoute<{ id: string }>(async (_request, db, { id }) => {
  const plan = await findPlan(db, planRef(id));
  if (!plan) return apiError(404, "not_found", "Plan not found", "plan");
  return Response.json({ plan: planJson(plan) });
});

/** Changes the fields given; the companies on the plan get the new limits at once. */
export const PATCH = operatorRoute<{ id: string }>(async (request, db, { id }) => {
  const read = await readObjectBody(request);
  if (!read.ok) return read.response;
  const parsed = planPatchSchema.safeParse(read.body);
  if (!parsed.success) return zodErrorResponse(parsed.error);
  return Response.json({ plan: planJson(await updatePlan(db, planRef(id), parsed.data)) });
});

/** 409 while companies are assigned the plan, or while it is the default. */
export const DELETE = operatorRoute<{ id: string }>(async (_request, db, { id }) => {
  await deletePlan(db, planRef(id));
  return new Response(null, { status: 204 });
});
