"use client";

import { useEffect, useState } from "react";
import { previewWebhookBodyAction } from "@/app/(app)/webhooks/actions";
import type { WebhookFormApi } from "./form-context";

export interface BodyPreview {
  body: string | null;
  error?: string;
}

/**
 * The live preview of the request body from the event's sample record, built by the server's
 * request builder (previewWebhookBody: a dry run that sends nothing) 400 ms after the body, the
 * method, the event or its naming last changed. Only those parts are sent: a half-typed header or no URL yet
 * does not stop it. Later answers win over earlier ones; nothing runs without Manage Webhooks.
 */
export function useBodyPreview(form: WebhookFormApi, enabled: boolean): BodyPreview | null {
  const [preview, setPreview] = useState<BodyPreview | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let latest = 0;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const { eventTypes, method, body, eventNaming } = form.getValues();
        if (!eventTypes?.length) return;
        const ticket = ++latest;
        const result = await previewWebhookBodyAction({ draft: { eventTypes, method, body, eventNaming } });
        if (ticket !== latest || !result.ok) return;
        const data = result.data;
        if (data.ok) setPreview({ body: data.body });
        else
          setPreview({
            body: null,
            error: Object.entries(data.fieldErrors).find(([k]) => k.startsWith("body"))?.[1][0] ?? data.message,
          });
      }, 400);
    };
    schedule();
    const sub = form.watch((_all, { name }) => {
      if (!name || /^(body|method|eventTypes|eventNaming)/.test(name)) schedule();
    });
    return () => {
      clearTimeout(timer);
      latest++;
      sub.unsubscribe();
    };
  }, [enabled, form]);
  return preview;
}
