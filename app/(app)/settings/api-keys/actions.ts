"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { createApiKey, revokeApiKey } from "@/lib/actions/api-keys";
import { runAction } from "@/lib/session";
import type { apiKeyIdSchema, CreateApiKeyInput } from "@/lib/validations/settings";

/** Returns the plaintext key once, to the browser that created it; only its hash is stored. */
export async function createApiKeyAction(input: CreateApiKeyInput) {
  const r = await runAction(createApiKey, input);
  if (r.ok) revalidatePath("/settings/api-keys");
  return r;
}

export async function revokeApiKeyAction(input: z.input<typeof apiKeyIdSchema>) {
  const r = await runAction(revokeApiKey, input);
  if (r.ok) revalidatePath("/settings/api-keys");
  return r;
}
