import { getDb } from "@/db";
import { appUrl } from "@/lib/env";
import { completeAuthorization } from "@/lib/oauth/connect";
import { getCaller } from "@/lib/session";

export const dynamic = "force-dynamic";

/**
 * GET /api/oauth/callback — where the provider sends the browser back after Connect (the redirect URI to register
 * with it). Not part of the API: it answers the signed-in browser with a redirect to the OAuth credentials page,
 * which shows the outcome. The state, the user and Manage Webhooks are checked in completeAuthorization.
 */
export async function GET(request: Request) {
  const query = new URL(request.url).searchParams;
  const caller = await getCaller();
  // Signed out meanwhile: the state stays unused (it expires); signing in and clicking Connect again works.
  if (!caller.userId) return redirect("/sign-in");
  const outcome = await completeAuthorization(getDb(), caller.userId, {
    state: query.get("state"),
    code: query.get("code"),
    error: query.get("error"),
    errorDescription: query.get("error_description"),
  });
  return redirect(
    "authorizationId" in outcome
      ? `/oauth?connect=${encodeURIComponent(outcome.authorizationId)}`
      : `/oauth?connect_error=${outcome.error}`,
  );
}

function redirect(path: string): Response {
  // 303: the browser follows with a GET; no-store: a code in the URL is never cached, nor a referrer sent on.
  return new Response(null, {
    status: 303,
    headers: { location: `${appUrl()}${path}`, "cache-control": "no-store", "referrer-policy": "no-referrer" },
  });
}
