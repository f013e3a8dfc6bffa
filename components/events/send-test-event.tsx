"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { SendIcon } from "lucide-react";
import { toast } from "sonner";
import { sendTestEventAction } from "@/app/(app)/events/actions";
import { FormDialogFooter } from "@/components/app/form-dialog-footer";
import { TextareaField } from "@/components/app/form-fields";
import { EventTypeField } from "@/components/webhooks/event-type-picker";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Form } from "@/components/ui/form";
import type { EventTypeOption, EventTypeInfo } from "@/lib/events/catalog";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { testEventSchema, type TestEventInput } from "@/lib/validations/test-event";

const DEFAULT_TYPE = "deal.updated";

/** An event type the dialog offers, with its sample record (the catalog's, or the company's own). */
export type TestEventTypeOption = EventTypeOption & { sample: EventTypeInfo["sample"] };

/** A type's sample, as the dialog's JSON text. */
function sampleOf(options: TestEventTypeOption[], type: string): TestEventInput {
  const sample = options.find((o) => o.type === type)?.sample;
  return {
    type,
    data: JSON.stringify(sample?.data ?? { id: "" }, null, 2),
    previous: sample?.previous ? JSON.stringify(sample.previous, null, 2) : "",
  };
}

/**
 * "Send a test event": pick a type, edit its sample record, and post it through the same path as
 * the API — every matching active webhook delivers it. The toast says how many matched.
 */
export function SendTestEventButton({
  variant = "default",
  eventTypes: options,
}: {
  variant?: "default" | "outline";
  eventTypes: TestEventTypeOption[];
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const form = useZodForm(testEventSchema, { defaultValues: sampleOf(options, DEFAULT_TYPE) });
  const pending = form.formState.isSubmitting;

  function onOpenChange(next: boolean) {
    if (pending) return;
    if (next) form.reset(sampleOf(options, form.getValues("type") || DEFAULT_TYPE));
    setOpen(next);
  }

  const onSubmit = form.handleSubmit(async () => {
    // The action parses the same raw text with the same schema.
    const result = await sendTestEventAction(form.getValues());
    if (!result.ok) {
      if (applyServerErrors(form, result)) {
        const first = Object.keys(result.fieldErrors ?? {}).find((f) => f !== "_form");
        if (first) form.setFocus(first as never);
      } else toast.error(result.error);
      return;
    }
    toast.success(result.message ?? "Test event sent", {
      action: { label: "View", onClick: () => router.push(`/events/${result.data.eventId}`) },
    });
    setOpen(false);
    router.refresh();
  });

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant={variant}>
          <SendIcon aria-hidden />
          Send a test event
        </Button>
      </DialogTrigger>
      <DialogContent className="max-h-[calc(100dvh-2rem)] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Send a test event</DialogTitle>
          <DialogDescription>
            The event goes through the same path as one your business app posts to{" "}
            <code className="font-mono text-xs">/api/v1/events</code>: every active webhook whose trigger and conditions
            match it sends it for real. It is listed here as a test event sent by you.
          </DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form onSubmit={onSubmit} noValidate className="grid gap-5">
            <EventTypeField
              name="type"
              label="Event type"
              description="Picking a type loads its sample record; edit it as you like."
              options={options}
              onPicked={(type) => {
                const sample = sampleOf(options, type);
                form.setValue("data", sample.data, { shouldValidate: false });
                form.setValue("previous", sample.previous, { shouldValidate: false });
                form.clearErrors(["data", "previous"]);
              }}
            />
            <TextareaField
              name="data"
              label="Record (JSON)"
              rows={12}
              spellCheck={false}
              textareaClassName="font-mono text-xs"
              description={
                <>
                  The event&apos;s <code className="font-mono">data</code>: a JSON object with the record&apos;s{" "}
                  <code className="font-mono">id</code>.
                </>
              }
            />
            <TextareaField
              name="previous"
              label="Previous values (JSON, optional)"
              rows={4}
              spellCheck={false}
              textareaClassName="font-mono text-xs"
              placeholder='{"stage": "Negotiation"}'
              description={
                <>
                  Old values of the fields that changed, for conditions such as <em>changed to</em>. Leave blank for
                  none.
                </>
              }
            />
            <FormDialogFooter pending={pending} onCancel={() => onOpenChange(false)}>
              Send test event
            </FormDialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}
