import { z } from "zod";
import { defineJob, type PayloadOf } from "./define";

/**
 * password-reset: "Forgot password?". The web process only names the address; the worker makes
 * the link and sends it (jobs/password-reset.ts).
 */
export const passwordReset = defineJob({
  name: "password-reset",
  schema: z.object({ email: z.string() }),
  queue: { retryLimit: 3, retryDelay: 10, expireInSeconds: 120 },
  work: { localConcurrency: 2 },
});

export type PasswordResetJob = PayloadOf<typeof passwordReset>;
