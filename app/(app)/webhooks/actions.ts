"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import {
  createWebhook,
  deleteWebhook,
  duplicateWebhook,
  previewWebhookBody,
  rotateSigningSecret,
  setWebhookActive,
  testWebhookDraft,
  updateWebhook,
  type previewWebhookBodySchema,
  type rotateSigningSecretSchema,
  type setWebhookActiveSchema,
  type testWebhookDraftSchema,
  type webhookIdSchema,
} from "@/lib/actions/webhooks";
import { resendDelivery, retryFailedDeliveries } from "@/lib/actions/deliveries";
import { runAction, runReadOnlyAction } from "@/lib/session";
import type { deliveryIdSchema, retryFailedSchema } from "@/lib/validations/listing";
import type { WebhookFormValues, WebhookInput } from "@/lib/validations/webhook";

/** Thin "use server" wrappers: each action parses, loads the membership and checks Manage Webhooks itself. */
function revalidate(ok: boolean, id?: string) {
  if (!ok) return;
  revalidatePath("/webhooks");
  if (id) revalidatePath(`/webhooks/${id}`);
}

export async function createWebhookAction(input: WebhookInput) {
  const r = await runAction(createWebhook, input);
  revalidate(r.ok);
  return r;
}

export async function updateWebhookAction(input: WebhookFormValues & { webhookId: string }) {
  const r = await runAction(updateWebhook, input);
  revalidate(r.ok, input.webhookId);
  return r;
}

export async function deleteWebhookAction(input: z.input<typeof webhookIdSchema>) {
  const r = await runAction(deleteWebhook, input);
  revalidate(r.ok);
  return r;
}

export async function duplicateWebhookAction(input: z.input<typeof webhookIdSchema>) {
  const r = await runAction(duplicateWebhook, input);
  revalidate(r.ok);
  return r;
}

export async function setWebhookActiveAction(input: z.input<typeof setWebhookActiveSchema>) {
  const r = await runAction(setWebhookActive, input);
  revalidate(r.ok, input.webhookId);
  return r;
}

export async function rotateSigningSecretAction(input: z.input<typeof rotateSigningSecretSchema>) {
  const r = await runAction(rotateSigningSecret, input);
  revalidate(r.ok, input.webhookId);
  return r;
}

export async function testWebhookDraftAction(input: z.input<typeof testWebhookDraftSchema>) {
  return runAction(testWebhookDraft, input);
}

/** The form's live body preview: sends nothing, changes nothing; Manage Webhooks is checked by the action. */
export async function previewWebhookBodyAction(input: z.input<typeof previewWebhookBodySchema>) {
  return runReadOnlyAction(previewWebhookBody, input);
}

export async function resendDeliveryAction(input: z.input<typeof deliveryIdSchema>) {
  const r = await runAction(resendDelivery, input);
  if (r.ok) revalidatePath("/webhooks", "layout");
  return r;
}

export async function retryFailedDeliveriesAction(input: z.input<typeof retryFailedSchema>) {
  const r = await runAction(retryFailedDeliveries, input);
  if (r.ok) revalidatePath(`/webhooks/${input.webhookId}/history`);
  return r;
}
