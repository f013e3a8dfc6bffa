import { assignPlan, findCompany } from "@/db/queries/plans";
import { isId, readObjectBody } from "@/lib/api-route";
import { apiError } from "@/lib/api-response";
import { operatorRoute, usageJson, usageOf, zodErrorResponse } from "@/lib/plans";
import { assignPlanSchema } from "@/lib/validations/plan";

export const dynamic = "force-dynamic";

const noCompany = () => apiError(404, "not_found", "Company not found", "company");

/** The company's plan and what it has used of it today. */
export const GET = operatorRoute<{ id: string }>(async (_request, db, { id }) => {
  if (!isId(id)) return noCompany();
  const company = await findCompany(db, id);
  return Response.json({ company, usage: usageJson(await usageOf(db, company.id)) });
});

/** Puts the company on a plan: `{"plan":"Professional"}` (a name or an id), or `{"plan":null}` for the default. */
export const PUT = operatorRoute<{ id: string }>(async (request, db, { id }) => {
  if (!isId(id)) return noCompany();
  const company = await findCompany(db, id);
  const read = await readObjectBody(request);
  if (!read.ok) return read.response;
  const parsed = assignPlanSchema.safeParse(read.body);
  if (!parsed.success) return zodErrorResponse(parsed.error);
  await assignPlan(db, company.id, parsed.data.plan);
  return Response.json({ company, usage: usageJson(await usageOf(db, company.id)) });
});
