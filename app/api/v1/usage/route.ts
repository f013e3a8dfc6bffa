import { authenticateApiKey, refuseKey } from "@/lib/api-auth";
import { internalError } from "@/lib/api-response";
import { getDb } from "@/db";
import { usageJson, usageOf } from "@/lib/plans";

export const dynamic = "force-dynamic";

/**
 * The key's company's plan and what it has used of it today (read-only: only the operator changes a plan).
 * Any live key of the company may read it.
 */
export async function GET(request: Request) {
  try {
    const db = getDb();
    const caller = await authenticateApiKey(db, request.headers.get("authorization"));
    if (!caller) return await refuseKey(db, request, "Missing or invalid API key");
    return Response.json(usageJson(await usageOf(db, caller.companyId)));
  } catch (err) {
    return internalError(err);
  }
}
