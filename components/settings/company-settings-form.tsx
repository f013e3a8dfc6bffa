"use client";

import { useWatch } from "react-hook-form";
import { toast } from "sonner";
import { updateCompanySettingsAction } from "@/app/(app)/settings/company/actions";
import { LeaveGuard } from "@/components/app/leave-guard";
import { SubmitButton } from "@/components/app/submit-button";
import { NumberField, TextField } from "@/components/app/form-fields";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Form } from "@/components/ui/form";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { companySettingsSchema, type CompanySettingsInput } from "@/lib/validations/settings";

function days(hours: unknown): string | null {
  if (typeof hours !== "number" || !Number.isFinite(hours) || hours <= 0) return null;
  const d = Math.round((hours / 24) * 10) / 10;
  return `${d} ${d === 1 ? "day" : "days"}`;
}

/** Name and company-wide limits; one zod schema with the server action, its field errors under their fields. */
export function CompanySettingsForm({
  defaults,
  plan,
}: {
  defaults: CompanySettingsInput;
  /** The company's plan (set by the operator): its calls a day cap this limit. */
  plan?: { name: string; callsPerDay: number | null };
}) {
  const form = useZodForm(companySettingsSchema, { defaultValues: defaults });
  const hours = useWatch({ control: form.control, name: "autoDisableAfterHours" });
  const pending = form.formState.isSubmitting;

  const onSubmit = form.handleSubmit(async (values) => {
    const result = await updateCompanySettingsAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success(result.message ?? "Company settings saved");
    form.reset({ ...result.data, companyId: values.companyId });
  });

  return (
    <Form {...form}>
      <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label="Company settings">
        <fieldset disabled={pending} className="space-y-6">
          <Card>
            <CardHeader>
              <CardTitle>Company</CardTitle>
              <CardDescription>Shown to everyone in the company and in the emails Hookrelay sends.</CardDescription>
            </CardHeader>
            <CardContent>
              <TextField name="name" label="Company name" autoComplete="organization" />
              <TextField
                name="notificationDomains"
                label="Notification domains"
                className="mt-4"
                placeholder="example.com, example.org"
                description="Failure emails also go to a record's owner (owner.email in the event) when the address is a member's or at one of these domains. Blank: the domains of your members' addresses."
              />
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Limits</CardTitle>
              <CardDescription>
                How long history is kept, when a failing webhook is switched off, and how many requests a day Hookrelay
                sends for you.
              </CardDescription>
            </CardHeader>
            <CardContent className="grid gap-5 sm:grid-cols-2">
              <NumberField
                name="retentionDays"
                label="Keep history for (days)"
                min={1}
                max={365}
                description="1–365, 30 by default. Older events, deliveries and attempts are deleted every hour; deliveries still waiting to be sent are kept."
              />
              <NumberField
                name="autoDisableAfterHours"
                label="Switch off failing webhooks after (hours)"
                min={1}
                max={720}
                description={
                  <>
                    1–720, 120 (5 days) by default{days(hours) ? <> — now {days(hours)}</> : null}. A webhook whose
                    deliveries have all failed for this long is switched off and its admins are emailed. Freshsales
                    stops after 2 days (48 hours).
                  </>
                }
              />
              <div className="sm:col-span-2">
                <NumberField
                  name="dailyCallLimit"
                  label="Daily call limit"
                  min={1}
                  max={10_000_000}
                  description={`Requests sent for the company per day (UTC). Over the limit, deliveries wait for the next day: none are dropped. Vtiger allows 25,000 a day. Leave blank for no limit.${
                    plan?.callsPerDay != null
                      ? ` Your plan (${plan.name}) allows ${plan.callsPerDay.toLocaleString("en-US")} a day: the lower of the two applies (Settings → Plan & usage).`
                      : ""
                  }`}
                />
              </div>
            </CardContent>
          </Card>
        </fieldset>

        <div className="flex items-center justify-end gap-3">
          {form.formState.isDirty ? (
            <span className="text-muted-foreground mr-auto text-sm">Unsaved changes</span>
          ) : null}
          <SubmitButton pending={pending}>Save settings</SubmitButton>
        </div>
        <LeaveGuard when={form.formState.isDirty} what="your changes to the company settings" />
      </form>
    </Form>
  );
}
