import { listCompaniesWithPlans } from "@/db/queries/plans";
import { operatorRoute } from "@/lib/plans";

export const dynamic = "force-dynamic";

/** Every company with its plan (`assigned: false`: on the default plan) and its number of webhooks. */
export const GET = operatorRoute(async (_request, db) => {
  const companies = await listCompaniesWithPlans(db);
  return Response.json({ companies: companies.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })) });
});
