"use client";

import { useWatch } from "react-hook-form";
import { NumberField, SwitchField } from "@/components/app/form-fields";
import { FormDescription, FormItem, FormLabel } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { RETRY_SCHEDULES } from "@/lib/delivery/retry";
import { formatSeconds } from "@/lib/duration";
import { RETRY_PRESETS, type WebhookFormValues } from "@/lib/validations/webhook";
import { useWebhookFormContext, type WebhookFormApi } from "./form-context";
import { Section } from "./section";
import type { RetryDelays } from "./use-retry-delays";

const PRESET_LABELS: Record<(typeof RETRY_PRESETS)[number], string> = {
  standard: "Standard — 8 retries over about 3 days",
  freshsales: "Freshsales — for an hour, then 2 days",
  vtiger: "Vtiger — after 1 h, 2 h and 4 h",
  leadsquared: "LeadSquared — 3 tries in all",
  none: "No retries",
};

/** Delay, timeout, retries (a preset or typed delays), batching, parallel requests and failure emails. */
export function DeliverySection({ delays }: { delays: RetryDelays }) {
  const form = useWebhookFormContext();
  const retry = useWatch({ control: form.control, name: "retryPolicy" }) ?? { type: "preset", preset: "standard" };
  return (
    <Section
      id="delivery"
      title="Delivery"
      description="When to send, how long to wait for an answer, and what to do when the receiver fails."
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <NumberField
          name="delaySeconds"
          label="Execution delay (seconds)"
          min={0}
          max={86400}
          description="Wait before the first attempt. 0 sends at once."
        />
        <NumberField
          name="timeoutSeconds"
          label="Timeout (seconds)"
          min={1}
          max={30}
          description="1–30 s for the receiver to answer."
        />
        <FormItem className="sm:col-span-2">
          <FormLabel htmlFor="retry-policy">Retries</FormLabel>
          <Select value={retry.type === "custom" ? "custom" : retry.preset} onValueChange={delays.choose}>
            <SelectTrigger id="retry-policy" className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              {RETRY_PRESETS.map((p) => (
                <SelectItem key={p} value={p}>
                  {PRESET_LABELS[p]}
                </SelectItem>
              ))}
              <SelectItem value="custom">Custom delays…</SelectItem>
            </SelectContent>
          </Select>
          {retry.type === "custom" ? (
            <Input
              aria-label="Retry delays"
              className="mt-2 font-mono text-sm"
              value={delays.text}
              onChange={(e) => delays.setText(e.target.value)}
              onBlur={delays.sync}
              placeholder="30s, 5m, 1h, 1d"
            />
          ) : null}
          <FormDescription>{describeRetries(retry)}</FormDescription>
          <RetryMessage form={form} />
        </FormItem>
        <NumberField
          name="batchWindowSeconds"
          label="Batch window (seconds)"
          min={0}
          max={3600}
          description="Events inside the window go together as one JSON array. 0 sends each alone."
        />
        <NumberField
          name="maxConcurrency"
          label="Parallel requests"
          min={1}
          max={100}
          description="At most this many requests to this URL at once."
        />
      </div>
      <SwitchField
        name="notifyOnFailure"
        label="Notify on failure"
        description="Email you and the admins when a delivery fails for good (at most once an hour)."
      />
    </Section>
  );
}

function RetryMessage({ form }: { form: WebhookFormApi }) {
  const errors = form.formState.errors.retryPolicy as { message?: string; delays?: { message?: string } } | undefined;
  const message = errors?.message ?? errors?.delays?.message;
  return message ? (
    <p className="text-destructive text-sm" role="alert">
      {message}
    </p>
  ) : null;
}

function describeRetries(retry: NonNullable<WebhookFormValues["retryPolicy"]>): string {
  const delays = retry.type === "custom" ? retry.delays : RETRY_SCHEDULES[retry.preset ?? "standard"];
  if (delays.length === 0) return "One attempt; a failure is final.";
  const total = delays.reduce((a, b) => a + b, 0);
  return `${delays.length + 1} attempts: retries after ${delays.map(formatSeconds).join(", ")} (about ${formatSeconds(total)} in all). A Retry-After from the receiver is honoured.`;
}
