import { getDb } from "@/db";
import { authenticateApiKey } from "@/lib/api-auth";
import { apiError, internalError } from "@/lib/api-response";

export const dynamic = "force-dynamic";

/** Which company an API key belongs to: the simplest way to check a key works. */
export async function GET(request: Request) {
  try {
    const caller = await authenticateApiKey(getDb(), request.headers.get("authorization"));
    if (!caller) return apiError(401, "unauthorized", "Missing or invalid API key", "authorization");
    return Response.json({ company: { id: caller.companyId, name: caller.companyName }, apiKey: { id: caller.apiKeyId, name: caller.apiKeyName } });
  } catch (err) {
    return internalError(err);
  }
}
