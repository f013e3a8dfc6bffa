import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { env } from "./env";
import {
  checkMetricsToken,
  metrics,
  metricsJson,
  METRICS_CONTENT_TYPE,
  renderMetrics,
  withProcess,
  type MetricFamilies,
} from "./metrics";

/**
 * A worker's metrics listener (a worker has no other HTTP server): GET /metrics in Prometheus's text format for a
 * scraper, GET /metrics.json as prom-client's JSON for the web process on the same box, which merges it into
 * GET /api/metrics. Same token as the web's; 404 without one configured, 401 for a wrong one.
 */
export async function serveWorkerMetrics(
  port = env.HOOKRELAY_WORKER_METRICS_PORT,
  host = env.HOOKRELAY_WORKER_METRICS_HOST,
): Promise<{ server: Server; url: string; close: () => Promise<void> } | null> {
  if (port === undefined) return null;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || (path !== "/metrics" && path !== "/metrics.json")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found: GET /metrics\n");
      return;
    }
    const check = checkMetricsToken(req.headers.authorization);
    if (check !== "ok") {
      const unset = check === "unset";
      res
        .writeHead(unset ? 404 : 401, { "content-type": "text/plain" })
        .end(
          unset
            ? "Metrics are not configured on this server: set HOOKRELAY_METRICS_TOKEN\n"
            : "Missing or wrong token: send Authorization: Bearer <HOOKRELAY_METRICS_TOKEN>\n",
        );
      return;
    }
    const answer =
      path === "/metrics.json"
        ? metricsJson().then((json) => ({ type: "application/json", body: JSON.stringify(json) }))
        : metrics()
            .registry.metrics()
            .then((body) => ({ type: METRICS_CONTENT_TYPE, body }));
    answer.then(
      ({ type, body }) => res.writeHead(200, { "content-type": type }).end(body),
      (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The local worker's metrics (HOOKRELAY_WORKER_METRICS_PORT on 127.0.0.1) labelled process="worker", for the web's
 * GET /api/metrics under `npm start`; `null` when none is configured or it does not answer within a second.
 */
export async function fetchLocalWorkerMetrics(): Promise<MetricFamilies | null> {
  const port = env.HOOKRELAY_WORKER_METRICS_PORT;
  if (port === undefined) return null;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics.json`, {
      headers: { authorization: `Bearer ${env.HOOKRELAY_METRICS_TOKEN}` },
      signal: AbortSignal.timeout(1000),
    });
    if (!res.ok) return null;
    return withProcess((await res.json()) as MetricFamilies, "worker");
  } catch {
    return null;
  }
}

/** Both processes' metrics as one text: this (web) process's and the local worker's, with `hookrelay_worker_up`. */
export async function renderWebMetrics(): Promise<string> {
  const [own, worker] = await Promise.all([metricsJson("web"), fetchLocalWorkerMetrics()]);
  if (env.HOOKRELAY_WORKER_METRICS_PORT === undefined) return renderMetrics(own);
  const up = {
    name: "hookrelay_local_worker_up",
    help: "Whether the local worker's metrics (HOOKRELAY_WORKER_METRICS_PORT) answered this scrape",
    type: "gauge",
    aggregator: "sum",
    values: [{ value: worker ? 1 : 0, labels: {} }],
  } as unknown as MetricFamilies[number];
  return renderMetrics(own, [up], worker ?? []);
}
