import { getDb } from "@/db";
import { authenticateApiKey } from "@/lib/api-auth";

export const dynamic = "force-dynamic";

/** Which company an API key belongs to: the simplest way to check a key works. */
export async function GET(request: Request) {
  const caller = await authenticateApiKey(getDb(), request.headers.get("authorization"));
  if (!caller) {
    return Response.json({ error: { code: "unauthorized", message: "Missing or invalid API key", field: "authorization" } }, { status: 401 });
  }
  return Response.json({ company: { id: caller.companyId, name: caller.companyName }, apiKey: { id: caller.apiKeyId, name: caller.apiKeyName } });
}
