import { getDb } from "@/db";
import { authenticateApiKey, refuseKey } from "@/lib/api-auth";
import { internalError } from "@/lib/api-response";

export const dynamic = "force-dynamic";

/** Which company an API key belongs to: the simplest way to check a key works. */
export async function GET(request: Request) {
  try {
    const db = getDb();
    const caller = await authenticateApiKey(db, request.headers.get("authorization"));
    if (!caller) return await refuseKey(db, request, "Missing or invalid API key");
    return Response.json({
      company: { id: caller.companyId, name: caller.companyName },
      apiKey: { id: caller.apiKeyId, name: caller.apiKeyName },
    });
  } catch (err) {
    return internalError(err);
  }
}
