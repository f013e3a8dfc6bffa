"use client";

import { useState } from "react";
import type { FieldPath } from "react-hook-form";
import { parseDelayList, formatSeconds } from "@/lib/duration";
import type { RETRY_PRESETS, WebhookFormValues } from "@/lib/validations/webhook";
import type { WebhookFormApi } from "./form-context";

export interface RetryDelays {
  /** The custom delays as typed ("30s, 5m, 1h"). */
  text: string;
  setText: (text: string) => void;
  /** Reads the typed list into the form (an error under Retries when it does not read); false when it does not. */
  sync: () => boolean;
  /** The Retries select: a preset, or "custom" (the typed list, else 30 s, 5 min, 1 h). */
  choose: (value: string) => void;
}

/** The custom retry list is typed as text; it must read before saving or testing. */
export function useRetryDelays(form: WebhookFormApi, initial: WebhookFormValues["retryPolicy"]): RetryDelays {
  const [text, setText] = useState(() =>
    initial?.type === "custom" ? initial.delays.map(formatSeconds).join(", ") : "30s, 5m, 1h",
  );

  function sync(): boolean {
    if (form.getValues("retryPolicy")?.type !== "custom") return true;
    const parsed = parseDelayList(text);
    if (!parsed.ok) {
      form.setError("retryPolicy" as FieldPath<WebhookFormValues>, {
        type: "manual",
        message: `“${parsed.bad}” is not a delay: use seconds or 30s, 5m, 2h, 1d, separated by commas`,
      });
      return false;
    }
    form.setValue("retryPolicy", { type: "custom", delays: parsed.seconds }, { shouldValidate: true });
    return true;
  }

  function choose(value: string) {
    if (value === "custom") {
      const parsed = parseDelayList(text);
      form.setValue(
        "retryPolicy",
        { type: "custom", delays: parsed.ok && parsed.seconds.length ? parsed.seconds : [30, 300, 3600] },
        { shouldDirty: true },
      );
    } else
      form.setValue(
        "retryPolicy",
        { type: "preset", preset: value as (typeof RETRY_PRESETS)[number] },
        { shouldDirty: true },
      );
    form.clearErrors("retryPolicy");
  }

  return { text, setText, sync, choose };
}
