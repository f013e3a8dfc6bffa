import { createPlan, listPlans } from "@/db/queries/plans";
import { readObjectBody } from "@/lib/api-route";
import { operatorRoute, planJson, zodErrorResponse } from "@/lib/plans";
import { planSchema } from "@/lib/validations/plan";

export const dynamic = "force-dynamic";

/** The operator's plans, each with how many companies are on it. */
export const GET = operatorRoute(async (_request, db) => {
  return Response.json({ plans: (await listPlans(db)).map(planJson) });
});

/** A new plan; limits left out are unlimited. */
export const POST = operatorRoute(async (request, db) => {
  const read = await readObjectBody(request);
  if (!read.ok) return read.response;
  const parsed = planSchema.safeParse(read.body);
  if (!parsed.success) return zodErrorResponse(parsed.error);
  return Response.json({ plan: planJson(await createPlan(db, parsed.data)) }, { status: 201 });
});
