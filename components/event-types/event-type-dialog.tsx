"use client";

import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { PlusIcon } from "lucide-react";
import { toast } from "sonner";
import { createEventTypeAction, updateEventTypeAction } from "@/app/(app)/event-types/actions";
import { FormDialogFooter } from "@/components/app/form-dialog-footer";
import { TextareaField, TextField } from "@/components/app/form-fields";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Form } from "@/components/ui/form";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { eventTypeSchema, updateEventTypeSchema, type EventTypeInput } from "@/lib/validations/event-type";

/** A company's own event type as the page shows and edits it. */
export interface CompanyEventTypeRow {
  type: string;
  label: string;
  module: string;
  description: string;
  schema: Record<string, unknown> | null;
  sample: { data: Record<string, unknown>; previous?: Record<string, unknown> };
  deprecated: boolean;
  /** How many of the company's webhooks listen to it. */
  webhooks: number;
}

const BLANK: EventTypeInput = {
  type: "",
  label: "",
  module: "",
  description: "",
  schema: "",
  sample: "",
  samplePrevious: "",
};

const json = (value: Record<string, unknown> | null | undefined) => (value ? JSON.stringify(value, null, 2) : "");

/** The dialog's text for a saved type: its schema and sample as JSON text. */
function valuesOf(row: CompanyEventTypeRow | undefined): EventTypeInput {
  if (!row) return BLANK;
  return {
    type: row.type,
    label: row.label,
    module: row.module,
    description: row.description,
    schema: json(row.schema),
    sample: json(row.sample.data),
    samplePrevious: json(row.sample.previous),
  };
}

const SCHEMA_PLACEHOLDER = `{
  "type": "object",
  "required": ["id", "priority"],
  "properties": {
    "id": { "type": "string" },
    "priority": { "enum": ["Low", "High", "Urgent"] }
  }
}`;

/**
 * "Add event type" (no `row`) or "Edit" (the type's name stays): label, module, description, and the
 * JSON Schema, sample record and previous values as JSON text, checked by the same schema as the
 * action; the server's field errors land next to their fields.
 */
export function EventTypeDialog({
  row,
  open,
  onOpenChange,
}: {
  row?: CompanyEventTypeRow;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const router = useRouter();
  const editing = Boolean(row);
  // The name of a saved type is not re-checked against the catalog (it is read-only here).
  const form = useZodForm((editing ? updateEventTypeSchema : eventTypeSchema) as typeof eventTypeSchema, {
    defaultValues: valuesOf(row),
  });
  const pending = form.formState.isSubmitting;

  function change(next: boolean) {
    if (pending) return;
    if (next) form.reset(valuesOf(row));
    onOpenChange(next);
  }

  const onSubmit = form.handleSubmit(async () => {
    // The action parses the same JSON text with the same schema.
    const values = form.getValues();
    const result = editing ? await updateEventTypeAction(values) : await createEventTypeAction(values);
    if (!result.ok) {
      if (applyServerErrors(form, result)) {
        const first = Object.keys(result.fieldErrors ?? {}).find((f) => f !== "_form");
        if (first) form.setFocus(first as never);
      } else toast.error(result.error);
      return;
    }
    toast.success(result.message ?? (editing ? "Event type saved" : "Event type added"));
    onOpenChange(false);
    router.refresh();
  });

  return (
    <Dialog open={open} onOpenChange={change}>
      <DialogContent className="max-h-[calc(100dvh-2rem)] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>{editing ? `Edit ${row!.label}` : "Add event type"}</DialogTitle>
          <DialogDescription>
            {editing
              ? "Webhooks that listen to this type keep it; the schema applies to events posted from now on."
              : "Register an event your business app sends. Once added, webhooks can listen to it and POST /api/v1/events accepts it."}
          </DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form onSubmit={onSubmit} noValidate className="grid gap-4">
            <div className="grid gap-4 sm:grid-cols-2">
              <TextField
                name="type"
                label="Type name"
                mono
                readOnly={editing}
                placeholder="ticket.escalated"
                description={
                  editing ? "The name events are posted with: it cannot change." : "Dotted, e.g. ticket.escalated."
                }
              />
              <TextField name="label" label="Label" placeholder="Ticket escalated" description="What people read." />
            </div>
            <TextField
              name="module"
              label="Module"
              placeholder="ticket"
              description="The part of your app it belongs to: pickers group types by module."
            />
            <TextareaField
              name="description"
              label="Description (optional)"
              rows={2}
              placeholder="A ticket is escalated to the second line."
            />
            <JsonField
              name="schema"
              label="JSON Schema (optional)"
              rows={8}
              placeholder={SCHEMA_PLACEHOLDER}
              description={
                <>
                  Events whose <code className="font-mono">data</code> does not meet it are refused with the field
                  named. Supported: type, properties, required, additionalProperties, items, enum, const, minimum,
                  maximum, minLength, maxLength, minItems, maxItems, format (date-time, date, email, uri) — no pattern
                  or $ref.
                </>
              }
            />
            <JsonField
              name="sample"
              label="Sample record (JSON)"
              rows={8}
              placeholder='{"id": "t_1", "priority": "High"}'
              description={
                <>
                  What Test, previews and the field pickers use, with an <code className="font-mono">id</code>. Leave
                  blank to build one from the schema.
                </>
              }
            />
            <JsonField
              name="samplePrevious"
              label="Previous values (JSON, optional)"
              rows={3}
              placeholder='{"priority": "Low"}'
              description={
                <>
                  Old values of the sample&apos;s changed fields, for conditions such as <em>changed to</em>.
                </>
              }
            />
            <FormDialogFooter pending={pending} onCancel={() => change(false)}>
              {editing ? "Save event type" : "Add event type"}
            </FormDialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}

function JsonField(props: {
  name: "schema" | "sample" | "samplePrevious";
  label: string;
  rows: number;
  placeholder: string;
  description: ReactNode;
}) {
  return <TextareaField {...props} spellCheck={false} textareaClassName="max-h-80 font-mono text-xs" />;
}

/** The page's "Add event type" button with its dialog. */
export function AddEventTypeButton({ variant = "default" }: { variant?: "default" | "outline" }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={variant} onClick={() => setOpen(true)}>
        <PlusIcon aria-hidden />
        Add event type
      </Button>
      <EventTypeDialog open={open} onOpenChange={setOpen} />
    </>
  );
}
