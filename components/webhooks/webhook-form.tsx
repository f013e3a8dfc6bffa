"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { useWatch } from "react-hook-form";
import { FlaskConicalIcon } from "lucide-react";
import { toast } from "sonner";
import { createWebhookAction, testWebhookDraftAction, updateWebhookAction } from "@/app/(app)/webhooks/actions";
import { LeaveGuard } from "@/components/app/leave-guard";
import { SubmitButton } from "@/components/app/submit-button";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { Spinner } from "@/components/ui/spinner";
import type { SavedSecrets } from "@/lib/actions/webhook-reads";
import type { TestResult } from "@/lib/delivery/test-webhook";
import type { EventTypeOption } from "@/lib/events/catalog";
import { sameHost } from "@/lib/target-host";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { BODY_METHODS, webhookObjectSchema, type HttpMethod, type WebhookFormValues } from "@/lib/validations/webhook";
import { AuthSection } from "./form/auth-section";
import { BasicsSection } from "./form/basics-section";
import { BodySection } from "./form/body-section";
import { DeliverySection } from "./form/delivery-section";
import { RequestSection } from "./form/request-section";
import { blankSavedSecrets } from "./form/saved-secrets";
import { SECTIONS } from "./form/section";
import { SwitchedOffAlert } from "./form/switched-off-alert";
import { TriggerSection } from "./form/trigger-section";
import { useRetryDelays } from "./form/use-retry-delays";
import { SigningSecretCard, SigningSecretDialog } from "./signing-secret";
import { TestPanel } from "./test-panel";

export interface WebhookFormProps {
  mode: "create" | "edit";
  webhookId?: string;
  defaults: WebhookFormValues;
  /** Which secrets are saved (never their values). */
  savedSecrets: SavedSecrets;
  eventTypes: EventTypeOption[];
  credentials: { id: string; name: string }[];
  canManage: boolean;
  signing?: { previousValidUntil: string | null };
  disabledReason?: string | null;
}

/**
 * New / edit webhook: one react-hook-form on the server action's zod schema, a section per part
 * (components/webhooks/form/), Test on the unsaved values and the sticky Save / Test bar.
 */
export function WebhookForm(props: WebhookFormProps) {
  const { mode, webhookId, eventTypes, credentials, canManage, savedSecrets } = props;
  const router = useRouter();
  const form = useZodForm(webhookObjectSchema, { defaultValues: props.defaults });
  const [active, eventTypeValues, methodValue, url] = useWatch({
    control: form.control,
    name: ["active", "eventTypes", "method", "url"],
  });
  const delays = useRetryDelays(form, props.defaults.retryPolicy);

  const [testOpen, setTestOpen] = useState(false);
  const [testPending, startTest] = useTransition();
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  // The sample record as edited in the Test panel (null: the event type's sample as last sent).
  const [sampleText, setSampleText] = useState<string | null>(null);
  const [createdSecret, setCreatedSecret] = useState<string | null>(null);

  // Test, the preview and the body's field list use the first chosen type's sample; conditions offer every
  // chosen type's fields.
  const chosen = (eventTypeValues ?? []).flatMap((t) => eventTypes.filter((e) => e.type === t));
  const eventType = chosen[0];
  const sampleFields = [...new Set(chosen.flatMap((e) => e.fields))];
  const method = (methodValue ?? "POST") as HttpMethod;
  const hasBody = BODY_METHODS.includes(method);
  // A saved header or constant secret is kept when left blank, unless the URL's host changes (then it must be typed
  // again).
  const rowSecretKept = mode === "edit" && sameHost(props.defaults.url ?? "", url ?? "");

  const onSubmit = form.handleSubmit(
    async (config) => {
      if (!delays.sync()) return;
      const result =
        mode === "create"
          ? await createWebhookAction(config)
          : await updateWebhookAction({ ...config, webhookId: webhookId! });
      if (!result.ok) {
        const placed = applyServerErrors(form, result);
        toast.error(placed ? "Fix the highlighted fields — nothing was saved" : result.error);
        return;
      }
      toast.success(result.message ?? "Saved");
      const data = result.data as { signingSecret?: string };
      if (mode === "create" && data.signingSecret) {
        setCreatedSecret(data.signingSecret);
      } else {
        // Secrets typed on the form are saved now; the inputs go back to "saved — leave blank".
        form.reset(blankSavedSecrets(form.getValues()));
        router.refresh();
      }
    },
    () => toast.error("Fix the highlighted fields — nothing was saved"),
  );

  /** Test: every field but the Name is checked (a draft is tried before it is named); `sample` is an edited record. */
  function runTest(sample?: Record<string, unknown>) {
    if (!delays.sync()) return;
    setTestOpen(true);
    setTestResult(null);
    if (!sample) setSampleText(null);
    startTest(async () => {
      const fields = Object.keys(form.getValues()).filter((f) => f !== "name") as (keyof WebhookFormValues)[];
      const valid = await form.trigger(fields);
      if (!valid) {
        setTestResult({ ok: false, message: "Fix the highlighted fields, then test again.", fieldErrors: {} });
        return;
      }
      const result = await testWebhookDraftAction({ webhookId, config: form.getValues(), sample });
      if (!result.ok) {
        setTestResult({ ok: false, message: result.error, fieldErrors: {} });
        return;
      }
      if (!result.data.ok)
        applyServerErrors(form, {
          ok: false,
          code: "invalid",
          error: result.data.message,
          fieldErrors: result.data.fieldErrors,
        });
      setTestResult(result.data);
    });
  }

  return (
    <>
      {props.disabledReason && !active ? (
        <SwitchedOffAlert
          reason={props.disabledReason}
          webhookId={webhookId}
          onSwitchedOn={canManage ? () => form.setValue("active", true) : undefined}
        />
      ) : null}
      <div className="grid gap-8 lg:grid-cols-[10rem_1fr]">
        <nav aria-label="Form sections" className="hidden lg:block">
          <ul className="sticky top-6 space-y-1 text-sm">
            {SECTIONS.filter(([id]) => id !== "body" || hasBody).map(([id, label]) => (
              <li key={id}>
                <a href={`#${id}`} className="text-muted-foreground hover:text-foreground block rounded-md px-2 py-1">
                  {label}
                </a>
              </li>
            ))}
            {mode === "edit" ? (
              <li>
                <a href="#signing" className="text-muted-foreground hover:text-foreground block rounded-md px-2 py-1">
                  Signing secret
                </a>
              </li>
            ) : null}
          </ul>
        </nav>
        <Form {...form}>
          <form
            onSubmit={onSubmit}
            noValidate
            className="min-w-0 space-y-6"
            aria-label={mode === "create" ? "New webhook" : "Edit webhook"}
          >
            <fieldset disabled={!canManage || form.formState.isSubmitting} className="min-w-0 space-y-6">
              <BasicsSection />
              <TriggerSection eventTypes={eventTypes} chosen={chosen} sampleFields={sampleFields} />
              <RequestSection sampleFields={sampleFields} savedSecrets={savedSecrets} rowSecretKept={rowSecretKept} />
              <AuthSection
                editing={mode === "edit"}
                savedAuthType={props.defaults.auth?.type}
                savedSecrets={savedSecrets}
                credentials={credentials}
              />
              <BodySection
                method={method}
                eventType={eventType}
                eventChosen={Boolean(eventTypeValues?.length)}
                sampleFields={sampleFields}
                savedSecrets={savedSecrets}
                rowSecretKept={rowSecretKept}
                previewEnabled={canManage}
              />
              <DeliverySection delays={delays} />
            </fieldset>

            {mode === "edit" && webhookId ? (
              <SigningSecretCard
                webhookId={webhookId}
                canManage={canManage}
                previousValidUntil={props.signing?.previousValidUntil ?? null}
              />
            ) : null}

            {canManage ? (
              <div
                data-form-actions
                className="bg-background/95 supports-backdrop-filter:bg-background/80 sticky bottom-0 z-10 -mx-1 flex flex-wrap items-center justify-end gap-2 border-t px-1 py-3 backdrop-blur"
              >
                {form.formState.isDirty ? (
                  <span className="text-muted-foreground mr-auto text-sm">Unsaved changes</span>
                ) : null}
                <Button type="button" variant="ghost" asChild>
                  <Link href="/webhooks">Cancel</Link>
                </Button>
                <Button
                  type="button"
                  variant="outline"
                  onClick={() => runTest()}
                  disabled={testPending}
                  aria-busy={testPending || undefined}
                >
                  {testPending ? <Spinner className="size-4" /> : <FlaskConicalIcon aria-hidden />}
                  Test
                </Button>
                <SubmitButton pending={form.formState.isSubmitting}>
                  {mode === "create" ? "Create webhook" : "Save changes"}
                </SubmitButton>
              </div>
            ) : null}
          </form>
        </Form>
      </div>
      <LeaveGuard
        when={canManage && form.formState.isDirty && createdSecret === null}
        what="your changes to this webhook"
      />
      <TestPanel
        open={testOpen}
        onOpenChange={setTestOpen}
        pending={testPending}
        result={testResult}
        sampleText={sampleText}
        onSampleTextChange={setSampleText}
        onSendSample={runTest}
      />
      <SigningSecretDialog
        secret={createdSecret}
        title="Webhook created"
        description="Receivers verify each request with this signing secret (Standard Webhooks). Copy it now: it is shown only once. You can rotate it later."
        onDone={() => {
          setCreatedSecret(null);
          router.push("/webhooks");
        }}
      />
    </>
  );
}
