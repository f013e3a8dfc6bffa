import { z } from "zod";
import { parseSecretKey } from "./crypto";

/**
 * Environment, validated once at start with messages that say what to fix (create-t3-app's habit).
 * `npm start` fills DATABASE_URL, HOOKRELAY_SECRET_KEY and AUTH_SECRET itself in embedded mode.
 */
const schema = z.object({
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is required (npm start provides an embedded database when it is unset)" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgres:// or postgresql:// URL"),
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
    .min(16, "AUTH_SECRET must be at least 16 characters"),
  APP_URL: z.url("APP_URL must be a URL such as http://localhost:3000").optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.url("RESEND_BASE_URL must be a URL").optional(),
  EMAIL_FROM: z.string().default("Hookrelay <notifications@hookrelay.local>"),
  HOOKRELAY_ALLOW_PRIVATE_TARGETS: z.enum(["0", "1"]).optional(),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20),
  EVENTS_RATE_LIMIT: z.coerce.number({ error: "EVENTS_RATE_LIMIT must be a number of events per second" }).int().min(1, "EVENTS_RATE_LIMIT must be at least 1").optional(),
  // The template sandbox (lib/sandbox/render-pool.ts reads them; checked here so a bad value stops the start).
  RENDER_SANDBOX_PROCESSES: z.coerce.number().int().min(1, "RENDER_SANDBOX_PROCESSES must be at least 1").max(32, "RENDER_SANDBOX_PROCESSES: at most 32").optional(),
  RENDER_DEADLINE_MS: z.coerce.number().int().min(50, "RENDER_DEADLINE_MS must be at least 50 (ms)").max(60_000, "RENDER_DEADLINE_MS: at most 60000 (ms)").optional(),
  RENDER_HEAP_MB: z.coerce.number().int().min(32, "RENDER_HEAP_MB must be at least 32 (MB)").max(4096, "RENDER_HEAP_MB: at most 4096 (MB)").optional(),
});

export type Env = z.infer<typeof schema>;

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  return result.data;
}

/** The public base URL used in links inside emails. */
export function appUrl(): string {
  return (process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
}
