/**
 * `npm run test:e2e`: a throw-away database, the production build of the app with its workers
 * (scripts/start.ts, which builds when the build is missing or stale) on 127.0.0.1:3100, then
 * Playwright. Everything started here is stopped here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { freePort } from "@/db/embedded";
import { generateSecretKey } from "@/lib/crypto";
import { startResendStandIn } from "@/tests/resend-stand-in";
import { startTestDatabase } from "@/tests/test-db";
import { ROOT } from "./runtime";
import { env as readEnv, envIsSet } from "@/lib/env";

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited early (${child.exitCode})`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app did not answer ${url} within ${timeoutMs / 1000}s`);
}

async function main() {
  const chromium = readEnv.CHROMIUM_PATH;
  if (!fs.existsSync(chromium)) {
    console.error(`Chromium not found at ${chromium}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    process.exit(1);
  }
  const db = await startTestDatabase();
  // Emails go through the real Resend SDK to a local stand-in; specs read them at E2E_RESEND_URL.
  const resend = await startResendStandIn();
  const port = readEnv.E2E_PORT ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    PORT: String(port),
    APP_URL: baseUrl,
    HOOKRELAY_SECRET_KEY: envIsSet("HOOKRELAY_SECRET_KEY") ? readEnv.HOOKRELAY_SECRET_KEY : generateSecretKey(),
    AUTH_SECRET: envIsSet("AUTH_SECRET") ? readEnv.AUTH_SECRET : randomBytes(32).toString("base64url"),
    HOOKRELAY_ALLOW_PRIVATE_TARGETS: "1",
    E2E_BASE_URL: baseUrl,
    E2E_DATABASE_URL: db.url,
    NEXT_TELEMETRY_DISABLED: "1",
    RESEND_API_KEY: "re_e2e_stand_in",
    RESEND_BASE_URL: resend.url,
    E2E_RESEND_URL: resend.url,
  };
  const app = spawn(
    process.execPath,
    [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "scripts", "start.ts")],
    {
      cwd: ROOT,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  let code = 1;
  try {
    await waitForHealth(`${baseUrl}/api/health`, app, 240_000);
    const pw = spawn(
      process.execPath,
      [path.join(ROOT, "node_modules", "@playwright", "test", "cli.js"), "test", ...process.argv.slice(2)],
      {
        cwd: ROOT,
        env,
        stdio: "inherit",
      },
    );
    code = await new Promise<number>((resolve) => pw.on("exit", (c) => resolve(c ?? 1)));
  } finally {
    if (app.exitCode === null) {
      app.kill("SIGTERM");
      await new Promise((resolve) => app.once("exit", resolve));
    }
    await db.stop();
    await resend.close();
  }
  process.exit(code);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
