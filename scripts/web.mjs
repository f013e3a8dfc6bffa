/**
 * The web process: Next.js behind a plain Node HTTP server, so the app knows who is calling.
 *
 * Next.js keeps an `X-Forwarded-For` the client sent and only fills it in when it is missing, so
 * any caller could name any address and slip past the per-address limits (sign-in throttling,
 * API-key failures). Here every request gets `X-Hookrelay-Client`, the address the app trusts:
 * the socket's peer, or — with `TRUSTED_PROXIES=n` when n reverse proxies stand in front — the
 * address the outermost of them saw (the n-th entry of X-Forwarded-For from the right). A client's
 * own `X-Hookrelay-Client` is dropped, and `X-Forwarded-For` is rewritten to what we trust.
 *
 * Every request gets an id: the client's `X-Request-Id` when it is a plain token, a new UUID otherwise. It is
 * passed on to the app, returned in the response's `X-Request-Id` and put on every log line written while the
 * request is handled (lib/log-core.mjs runWithLogContext).
 *
 * Plain JavaScript, run by node itself: the built app needs no TypeScript loader.
 * Usage (scripts/start.ts does this): node scripts/web.mjs --port 3000 --host 127.0.0.1 [--dev]
 * `npm run start:web` is `node scripts/web.mjs --production`: PORT and HOST from the environment, and
 * first the checks of scripts/check-ready.ts (DATABASE_URL set, the build there, the schema current) —
 * in a short child process with the TypeScript loader, so that this one stays plain.
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { acceptableRequestId, createLogger, defaultFormat, runWithLogContext } from "../lib/log-core.mjs";
import { clientAddressOf } from "./client-address.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const dev = process.argv.includes("--dev");
const port = Number(arg("--port", process.env.PORT || "3000"));
const host = arg("--host", process.env.HOST || "127.0.0.1");

if (process.argv.includes("--production")) {
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs");
  const check = spawnSync(process.execPath, ["--import", tsx, path.join(ROOT, "scripts", "check-ready.ts")], {
    cwd: ROOT,
    stdio: "inherit",
    env: process.env,
  });
  if (check.status !== 0) process.exit(check.status ?? 1);
}
const trustedProxies = Math.max(0, Math.trunc(Number(process.env.TRUSTED_PROXIES ?? 0)) || 0);
// LOG_LEVEL and LOG_FORMAT are checked by lib/env.ts at the start (scripts/runtime.ts); read as given here.
const log = createLogger({
  proc: "web",
  level: process.env.LOG_LEVEL || "info",
  format: defaultFormat(process.env.LOG_FORMAT),
});

const app = next({ dev, dir: ROOT, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  const peer = (req.socket.remoteAddress ?? "unknown").replace(/^::ffff:/, "");
  const forwarded = req.headers["x-forwarded-for"];
  const client = clientAddressOf(Array.isArray(forwarded) ? forwarded.join(",") : forwarded, peer, trustedProxies);
  req.headers["x-hookrelay-client"] = client;
  if (trustedProxies === 0) req.headers["x-forwarded-for"] = peer;
  const requestId = acceptableRequestId(req.headers["x-request-id"]) ?? randomUUID();
  req.headers["x-request-id"] = requestId;
  res.setHeader("x-request-id", requestId);
  if (log.isLevelEnabled("debug")) {
    const started = performance.now();
    // The path only: a query string may carry a secret.
    const path = (req.url ?? "").split("?")[0].slice(0, 200);
    res.on("finish", () =>
      log.debug(
        { requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        "request",
      ),
    );
  }
  runWithLogContext({ requestId }, () => void handle(req, res));
});
server.listen(port, host, () => log.info(`web ${process.pid} listening on http://${host}:${port}`));

let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  // Finish the requests in hand; idle keep-alive connections are closed so this does not hang.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
