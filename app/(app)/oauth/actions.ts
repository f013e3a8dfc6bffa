"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import type { ActionDefinition } from "@/lib/action";
import {
  createOAuthCredential,
  deleteOAuthCredential,
  startOAuthConnect,
  testOAuthCredential,
  updateOAuthCredential,
} from "@/lib/actions/oauth-credentials";
import { runAction } from "@/lib/session";
import type {
  OAuthCredentialInput,
  oauthCredentialIdSchema,
  updateOAuthCredentialSchema,
} from "@/lib/validations/oauth-credential";

/** Runs the action and, when it went through, has the OAuth page re-rendered with the new state. */
async function runAndRefresh<S extends z.ZodType, T>(def: ActionDefinition<S, T>, input: unknown) {
  const result = await runAction(def, input);
  if (result.ok) revalidatePath("/oauth");
  return result;
}

export async function createOAuthCredentialAction(input: OAuthCredentialInput) {
  return runAndRefresh(createOAuthCredential, input);
}

export async function updateOAuthCredentialAction(input: z.input<typeof updateOAuthCredentialSchema>) {
  return runAndRefresh(updateOAuthCredential, input);
}

/** Refused ("conflict", naming them) while webhooks use the credential. */
export async function deleteOAuthCredentialAction(input: z.input<typeof oauthCredentialIdSchema>) {
  return runAndRefresh(deleteOAuthCredential, input);
}

/** Fetches a token now; either way the card shows the new token state or the endpoint's error. */
export async function testOAuthCredentialAction(input: z.input<typeof oauthCredentialIdSchema>) {
  return runAndRefresh(testOAuthCredential, input);
}

/** Connect / Reconnect: the provider's consent URL for a new one-time state; the browser goes there. */
export async function startOAuthConnectAction(input: z.input<typeof oauthCredentialIdSchema>) {
  return runAction(startOAuthConnect, input);
}
