"use client";

import { useFormContext, type UseFormReturn } from "react-hook-form";
import type { WebhookConfig, WebhookFormValues } from "@/lib/validations/webhook";

/** The webhook form's react-hook-form: the form's input type, parsed to WebhookConfig on submit. */
export type WebhookFormApi = UseFormReturn<WebhookFormValues, unknown, WebhookConfig>;

/** The webhook form, from inside one of its sections. */
export function useWebhookFormContext(): WebhookFormApi {
  return useFormContext<WebhookFormValues, unknown, WebhookConfig>();
}
