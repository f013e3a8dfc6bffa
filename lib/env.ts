import { z } from "zod";
import { parsePrivateTargets, type PrivateTargets } from "./delivery/private-targets";
import { parseSecretKey } from "./secret-key";

/**
 * The environment: the one place that reads it. Every variable the app knows is in the schema below
 * with a message that names it and says how to fix it (create-t3-app's habit). The start
 * (scripts/runtime.ts prepareRuntime: `npm start`, the worker, the seed) checks all of them at once
 * and stops on the first bad start; code reads one through `env.NAME`, which checks it too, so a bad
 * value in a process nobody checked fails loudly where it is used instead of becoming NaN.
 * `npm start` fills DATABASE_URL, HOOKRELAY_SECRET_KEY and AUTH_SECRET itself in embedded mode.
 */

/** A whole number in [min, max]; the message names the variable, the range, what it means and the value given. */
function wholeNumber(name: string, min: number, max: number, meaning: string) {
  return z
    .string()
    .refine((v) => /^\d+$/.test(v.trim()) && Number(v) >= min && Number(v) <= max, {
      error: (issue) =>
        `${name} must be a whole number from ${min} to ${max} (${meaning}), not ${JSON.stringify(issue.input)}`,
    })
    .transform(Number);
}

/** "1" or "0"; the message names the variable and what 1 does. */
function flag(name: string, meaning: string) {
  return z.enum(["0", "1"], {
    error: (issue) => `${name} must be 1 (${meaning}) or 0, not ${JSON.stringify(issue.input)}`,
  });
}

function postgresUrl(name: string) {
  return z.string().regex(/^postgres(ql)?:\/\//, `${name} must be a postgres:// or postgresql:// URL`);
}

const schema = z.object({
  // The database and the secrets.
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is required (npm start provides an embedded database when it is unset)" })
    .pipe(postgresUrl("DATABASE_URL")),
  DATABASE_POOL_MAX: wholeNumber("DATABASE_POOL_MAX", 1, 1000, "connections per process").default(10),
  HOOKRELAY_SECRET_KEY: z
    .string({ error: "HOOKRELAY_SECRET_KEY is required: 32 random bytes as 64 hex characters (openssl rand -hex 32)" })
    .refine((v) => {
      try {
        parseSecretKey(v);
        return true;
      } catch {
        return false;
      }
    }, "HOOKRELAY_SECRET_KEY must be 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)"),
  AUTH_SECRET: z
    .string({ error: "AUTH_SECRET is required to sign sessions (openssl rand -base64 32)" })
    .min(16, "AUTH_SECRET must be at least 16 characters (openssl rand -base64 32)"),
  BCRYPT_COST: wholeNumber(
    "BCRYPT_COST",
    4,
    31,
    "bcrypt's cost for password hashes: 11 by default, tests use 4",
  ).default(11),
  HOOKRELAY_DATA_DIR: z.string().optional(),

  // The web server.
  APP_URL: z
    .url({ protocol: /^https?$/, error: "APP_URL must be an http:// or https:// URL such as http://localhost:3000" })
    .optional(),
  PORT: wholeNumber("PORT", 1, 65535, "the web server's port").default(3000),
  HOST: z
    .string()
    .regex(/^\S+$/, "HOST must be an address or host name to listen on, such as 127.0.0.1 or 0.0.0.0")
    .default("127.0.0.1"),
  // Read by scripts/web.mjs (plain JavaScript, which cannot import this file); checked here at the start.
  TRUSTED_PROXIES: wholeNumber(
    "TRUSTED_PROXIES",
    0,
    100,
    "how many reverse proxies stand in front of the web server; 0 when none",
  ).default(0),
  EVENTS_RATE_LIMIT: wholeNumber("EVENTS_RATE_LIMIT", 1, 1_000_000, "events per second a company may post").default(
    1000,
  ),

  // The operator (npm run admin needs none: it runs on the server): the operator API's bearer key.
  HOOKRELAY_OPERATOR_KEY: z
    .string()
    .min(32, "HOOKRELAY_OPERATOR_KEY must be at least 32 characters (openssl rand -hex 32); unset: no operator API")
    .regex(/^\S+$/, "HOOKRELAY_OPERATOR_KEY cannot contain spaces (openssl rand -hex 32)")
    .optional(),

  // Metrics (lib/metrics.ts): GET /api/metrics and the worker's listener, behind one bearer token.
  HOOKRELAY_METRICS_TOKEN: z
    .string()
    .min(16, "HOOKRELAY_METRICS_TOKEN must be at least 16 characters (openssl rand -hex 32); unset: no metrics")
    .regex(/^\S+$/, "HOOKRELAY_METRICS_TOKEN cannot contain spaces (openssl rand -hex 32)")
    .optional(),
  HOOKRELAY_WORKER_METRICS_PORT: wholeNumber(
    "HOOKRELAY_WORKER_METRICS_PORT",
    1,
    65535,
    "the port a worker serves its metrics on; unset: none (npm start picks a free one)",
  ).optional(),
  HOOKRELAY_WORKER_METRICS_HOST: z
    .string()
    .regex(/^\S+$/, "HOOKRELAY_WORKER_METRICS_HOST must be an address to listen on, such as 127.0.0.1 or 0.0.0.0")
    .default("127.0.0.1"),

  // Email.
  RESEND_API_KEY: z
    .string()
    .regex(
      /^re_\S+$/,
      "RESEND_API_KEY must be a Resend API key (re_…, from resend.com/api-keys), or unset to keep emails in the outbox",
    )
    .optional(),
  RESEND_BASE_URL: z
    .url({ protocol: /^https?$/, error: "RESEND_BASE_URL must be an http:// or https:// URL (unset: Resend's API)" })
    .optional(),
  EMAIL_FROM: z
    .string()
    .regex(
      /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/,
      "EMAIL_FROM must be an address, or a name and an address: Hookrelay <notifications@example.com>",
    )
    .default("Hookrelay <notifications@hookrelay.local>"),

  // Deliveries and the worker.
  HOOKRELAY_ALLOW_PRIVATE_TARGETS: flag(
    "HOOKRELAY_ALLOW_PRIVATE_TARGETS",
    "webhook targets on private and loopback addresses are allowed: local development and tests only",
  ).optional(),
  HOOKRELAY_PRIVATE_TARGETS: z
    .string()
    .transform((v, ctx): PrivateTargets => {
      try {
        return parsePrivateTargets(v);
      } catch (err) {
        ctx.addIssue({
          code: "custom",
          message: `HOOKRELAY_PRIVATE_TARGETS ${(err as Error).message}; it is a comma-separated list of host names, *.wildcards and CIDRs that may be private`,
        });
        return z.NEVER;
      }
    })
    .optional(),
  WORKER_CONCURRENCY: wholeNumber(
    "WORKER_CONCURRENCY",
    1,
    500,
    "sizes a worker process: its pg-boss connections and requests in flight",
  ).default(20),
  DELIVERY_MAX_REQUESTS: wholeNumber(
    "DELIVERY_MAX_REQUESTS",
    1,
    10_000,
    "delivery jobs a worker process has in hand at once; unset: 5 × WORKER_CONCURRENCY",
  ).optional(),
  DELIVERY_BATCH_SIZE: wholeNumber("DELIVERY_BATCH_SIZE", 1, 1000, "delivery jobs a worker fetches at a time").default(
    50,
  ),

  // The template sandbox (lib/sandbox/render-pool.ts).
  RENDER_SANDBOX_PROCESSES: wholeNumber(
    "RENDER_SANDBOX_PROCESSES",
    1,
    32,
    "template sandbox processes per web or worker process",
  ).default(2),
  RENDER_DEADLINE_MS: wholeNumber(
    "RENDER_DEADLINE_MS",
    50,
    60_000,
    "milliseconds one request's templates may take to render",
  ).default(1500),
  RENDER_HEAP_MB: wholeNumber("RENDER_HEAP_MB", 32, 4096, "heap cap in MB of each sandbox process").default(128),
  HOOKRELAY_ROOT: z.string().optional(),

  // Set by the scripts themselves, or for them.
  HOOKRELAY_SUPERVISED: flag(
    "HOOKRELAY_SUPERVISED",
    "the worker runs under npm start's supervisor, which applied the migrations",
  ).optional(),
  HOOKRELAY_SKIP_BUILD: flag(
    "HOOKRELAY_SKIP_BUILD",
    "npm start serves the existing build without checking whether the sources changed",
  ).optional(),
  TEST_DATABASE_URL: postgresUrl("TEST_DATABASE_URL").optional(),
  CHROMIUM_PATH: z.string().default("/usr/bin/chromium"),
  E2E_PORT: wholeNumber(
    "E2E_PORT",
    1,
    65535,
    "the port npm run test:e2e serves the app on; unset: a free one",
  ).optional(),
});

export type Env = z.output<typeof schema>;
type Name = keyof Env;

/** Every variable the app reads (README's Configuration table lists them). */
export const ENV_NAMES = Object.keys(schema.shape) as Name[];

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** An empty variable counts as unset (`FOO= npm start`). */
function present(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

/** Checks every variable at once (the start); the message lists each bad one. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(ENV_NAMES.map((name) => [name, present(source[name])]));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return result.data;
}

const checked = new Map<Name, { raw: string | undefined; value: unknown }>();

/** One variable's current value, checked (checked again only when it has changed: tests set some at run time). */
function read<K extends Name>(name: K): Env[K] {
  const raw = present(process.env[name]);
  const hit = checked.get(name);
  if (hit && hit.raw === raw) return hit.value as Env[K];
  const result = schema.shape[name].safeParse(raw);
  if (!result.success) throw new EnvError(result.error.issues.map((i) => `${name}: ${i.message}`));
  checked.set(name, { raw, value: result.data });
  return result.data as Env[K];
}

/**
 * Typed, checked access to the environment: `env.WORKER_CONCURRENCY` is a number (20 when unset),
 * read when asked, not when this module was imported. A bad value throws an EnvError naming it;
 * a required one that is unset (DATABASE_URL …) throws too.
 */
export const env: Readonly<Env> = Object.defineProperties(
  {},
  Object.fromEntries(ENV_NAMES.map((name) => [name, { enumerable: true, get: () => read(name) }])),
) as Env;

/** Whether a variable is set at all (DATABASE_URL unset: npm start runs the embedded database). */
export function envIsSet(name: Name): boolean {
  return present(process.env[name]) !== undefined;
}

/** The public base URL used in links inside emails. */
export function appUrl(): string {
  return (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
}

/** HOOKRELAY_ALLOW_PRIVATE_TARGETS=1: deliveries, tests and OAuth token requests may reach loopback/private addresses.
 * */
export function allowPrivateTargets(): boolean {
  return env.HOOKRELAY_ALLOW_PRIVATE_TARGETS === "1";
}

/**
 * What the SSRF guard lets through besides public addresses: everything (HOOKRELAY_ALLOW_PRIVATE_TARGETS=1, local
 * development and tests), or the operator's private hosts and networks (HOOKRELAY_PRIVATE_TARGETS).
 */
export function outboundPolicy(): { allowPrivate: boolean; privateTargets: PrivateTargets | null } {
  return { allowPrivate: allowPrivateTargets(), privateTargets: env.HOOKRELAY_PRIVATE_TARGETS ?? null };
}
