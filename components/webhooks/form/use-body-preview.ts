"use client";

import { useEffect, useState } from "react";
import { testWebhookDraftAction } from "@/app/(app)/webhooks/actions";
import type { WebhookFormApi } from "./form-context";

export interface BodyPreview {
  body: string | null;
  url: string;
  error?: string;
}

/**
 * The live preview of the request body from the event's sample record, built by the server's
 * request builder 400 ms after the body, the method or the event last changed. Later answers win
 * over earlier ones; nothing runs without Manage Webhooks.
 */
export function useBodyPreview(form: WebhookFormApi, { enabled, webhookId }: { enabled: boolean; webhookId?: string }): BodyPreview | null {
  const [preview, setPreview] = useState<BodyPreview | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latest = 0;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const values = form.getValues();
        if (!values.eventType) return;
        // Only the body is previewed: sections that do not shape it must not stop it (a half-typed header, no URL yet).
        const config = { ...values, name: "Preview", url: "https://preview.invalid/", headers: [], auth: { type: "none" as const }, conditions: undefined, retryPolicy: undefined };
        const ticket = ++latest;
        const result = await testWebhookDraftAction({ webhookId, config, dryRun: true });
        if (ticket !== latest || !result.ok) return;
        const data = result.data;
        if (data.ok) setPreview({ body: data.request.body, url: data.request.url });
        else setPreview({ body: null, url: "", error: Object.entries(data.fieldErrors).find(([k]) => k.startsWith("body"))?.[1][0] ?? data.message });
      }, 400);
    };
    schedule();
    const sub = form.watch((_all, { name }) => {
      if (!name || /^(body|method|eventType)/.test(name)) schedule();
    });
    return () => {
      clearTimeout(timer);
      latest++;
      sub.unsubscribe();
    };
  }, [enabled, form, webhookId]);
  return preview;
}
