import { getDb } from "@/db";
import { refuseKey } from "@/lib/api-auth";
import { apiError, internalError } from "@/lib/api-response";
import { checkMetricsToken, METRICS_CONTENT_TYPE, refreshQueueStats, watchAppPool } from "@/lib/metrics";
import { renderWebMetrics } from "@/lib/metrics-server";

export const dynamic = "force-dynamic";

/**
 * GET /api/metrics — Prometheus's text format, with `Authorization: Bearer $HOOKRELAY_METRICS_TOKEN` (404 while it is
 * unset, 401 for a missing or wrong token). This web process's metrics, every queue's depth (one query), and under
 * `npm start` the local worker's (HOOKRELAY_WORKER_METRICS_PORT), told apart by their `process` label.
 */
export async function GET(request: Request) {
  try {
    const check = checkMetricsToken(request.headers.get("authorization"));
    if (check === "unset")
      return apiError(404, "not_found", "Metrics are not configured on this server: set HOOKRELAY_METRICS_TOKEN");
    const db = getDb();
    // 401, and 429 after a burst of wrong tokens from one address (as for API keys).
    if (check === "refused")
      return await refuseKey(
        db,
        request,
        "Missing or wrong token: send Authorization: Bearer <HOOKRELAY_METRICS_TOKEN>",
      );
    watchAppPool(db);
    await refreshQueueStats(db);
    return new Response(await renderWebMetrics(), { headers: { "content-type": METRICS_CONTENT_TYPE } });
  } catch (err) {
    return internalError(err);
  }
}
