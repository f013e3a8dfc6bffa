"use client";

import { useRef } from "react";
import { PlusIcon } from "lucide-react";
import { useFieldArray, useWatch } from "react-hook-form";
import { CodeBlock, prettyBody } from "@/components/app/code-block";
import { SelectField, TextareaField, TextField } from "@/components/app/form-fields";
import { Button } from "@/components/ui/button";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import type { SavedSecrets } from "@/lib/actions/webhook-reads";
import type { EventTypeOption } from "@/lib/events/catalog";
import { eventTypeAsSent, type EventNaming } from "@/lib/events/leadsquared-names";
import { BODY_ENCODINGS, BODY_METHODS, isSecretConstant, type HttpMethod } from "@/lib/validations/webhook";
import { useWebhookFormContext } from "./form-context";
import { FieldChecklist } from "./field-checklist";
import { PlaceholderPicker, usePlaceholderSuggestions, type PlaceholderTarget } from "./placeholder-picker";
import { RemoveRowButton, SecretRow } from "./rows";
import { Section } from "./section";
import { useBodyPreview } from "./use-body-preview";

const BODY_MODE_TABS = [
  ["raw", "Raw data"],
  ["fields", "Selected parameters"],
  ["template", "Advanced template"],
] as const;

const ENCODING_LABELS: Record<(typeof BODY_ENCODINGS)[number], string> = {
  json: "JSON",
  json_array: "JSON array",
  xml: "XML",
  xml_extended: "XML (extended, with types)",
  form: "Form (x-www-form-urlencoded)",
  text: "Plain text",
};
const ENCODING_OPTIONS = BODY_ENCODINGS.map((e) => [e, ENCODING_LABELS[e]] as const);
const ENCODING_HELP: Partial<Record<(typeof BODY_ENCODINGS)[number], string>> = {
  xml: "Each field an element: <amount>48000</amount>.",
  xml_extended:
    'Freshsales\' XML (extended): each element says its type — <amount type="integer">48000</amount>, ' +
    'type="array" with one element per item, nil="true" for an empty value.',
};

const NAMING_OPTIONS = [
  ["hookrelay", "Hookrelay (deal.updated)"],
  ["leadsquared", "LeadSquared (Opportunity_Post_Update)"],
] as const;

/** How the event type is named where it is sent, with the chosen event's name as an example. */
function EventNamingField({ eventType }: { eventType: EventTypeOption | undefined }) {
  const { control } = useWebhookFormContext();
  const naming = (useWatch({ control, name: "eventNaming" }) ?? "hookrelay") as EventNaming;
  const type = eventType?.type ?? "deal.updated";
  return (
    <SelectField
      name="eventNaming"
      label="Type naming"
      options={NAMING_OPTIONS}
      fallback="hookrelay"
      description={
        <>
          Sent as <code>type</code> in the body, <code>{"{{event.type}}"}</code> and the <code>eventType</code> query
          parameter: <code className="break-all">{eventTypeAsSent(type, naming)}</code>
        </>
      }
    />
  );
}

function defaultTemplate(fields: string[]): string {
  const picked = fields.filter((f) => !f.includes(".")).slice(0, 4);
  const lines = [`  "event": "{{event.type}}"`, ...picked.map((f) => `  "${f}": "{{data.${f}}}"`)];
  return `{\n${lines.join(",\n")}\n}`;
}

/**
 * What a POST, PUT or PATCH carries — the whole event, picked fields with constants, or a
 * template — with its live preview; for GET and DELETE, a note that the fields go in the query.
 */
export function BodySection({
  method,
  eventType,
  eventChosen,
  sampleFields,
  savedSecrets,
  rowSecretKept,
  previewEnabled,
}: {
  method: HttpMethod;
  eventType: EventTypeOption | undefined;
  /** Whether an event type is picked (the preview waits for one). */
  eventChosen: boolean;
  sampleFields: string[];
  savedSecrets: SavedSecrets;
  rowSecretKept: boolean;
  previewEnabled: boolean;
}) {
  const form = useWebhookFormContext();
  const { control } = form;
  const body = useWatch({ control, name: "body" }) ?? { mode: "raw", encoding: "json" };
  const bodyFields = useFieldArray({ control, name: "body.fields" as never });
  const constants = useFieldArray({ control, name: "body.constants" as never });
  const templateRef = useRef<HTMLTextAreaElement | null>(null);
  const templateTarget: PlaceholderTarget = {
    inputRef: templateRef,
    get: () => (form.getValues("body") as { template?: string } | undefined)?.template ?? "",
    set: (value) => form.setValue("body.template" as never, value as never, { shouldDirty: true }),
  };
  const suggestions = usePlaceholderSuggestions(sampleFields, templateTarget, "textarea");
  const preview = useBodyPreview(form, previewEnabled);
  const pickedPaths = body.mode === "fields" ? (body.fields ?? []).map((f) => (f?.path ?? "").trim()) : [];

  if (!BODY_METHODS.includes(method)) {
    return (
      <div className="space-y-4">
        <p className="text-muted-foreground rounded-lg border border-dashed p-4 text-sm">
          {method} requests have no body: the record&apos;s fields are sent in the query string.
        </p>
        <div className="grid gap-4 sm:grid-cols-2">
          <EventNamingField eventType={eventType} />
        </div>
      </div>
    );
  }

  function setBodyMode(mode: string) {
    const encoding = body.encoding ?? "json";
    const next =
      mode === "fields"
        ? {
            mode: "fields" as const,
            encoding,
            fields: sampleFields.slice(0, 3).map((path) => ({ path, as: "" })),
            constants: [],
          }
        : mode === "template"
          ? { mode: "template" as const, encoding, template: defaultTemplate(sampleFields) }
          : { mode: "raw" as const, encoding };
    form.setValue("body", next, { shouldDirty: true });
    form.clearErrors("body");
  }

  return (
    <Section id="body" title="Body" description={`What the ${method} request carries.`}>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <SelectField
          name="body.encoding"
          label="Content type"
          options={ENCODING_OPTIONS}
          description={ENCODING_HELP[body.encoding ?? "json"]}
        />
        <EventNamingField eventType={eventType} />
      </div>
      <div className="space-y-2">
        <p className="text-sm font-medium" id="body-mode-label">
          Content
        </p>
        <Tabs value={body.mode} onValueChange={setBodyMode} aria-labelledby="body-mode-label">
          {/* On a phone the three modes share the width, their names on two lines. */}
          <TabsList className="h-auto w-full sm:h-9 sm:w-fit">
            {BODY_MODE_TABS.map(([mode, label]) => (
              <TabsTrigger key={mode} value={mode} className="whitespace-normal sm:whitespace-nowrap">
                {label}
              </TabsTrigger>
            ))}
          </TabsList>
          {/* Each tab has its panel (the tabs' aria-controls point at it), holding its description. */}
          <TabsContent value="raw" tabIndex={-1}>
            <p className="text-muted-foreground text-sm">
              The whole event: its id, type, time, the record and the previous values.
            </p>
          </TabsContent>
          <TabsContent value="fields" tabIndex={-1}>
            <p className="text-muted-foreground text-sm">
              Pick the record&apos;s fields, rename them, and add constant parameters.
            </p>
          </TabsContent>
          <TabsContent value="template" tabIndex={-1}>
            <p className="text-muted-foreground text-sm">
              Write the body yourself with placeholders; values are escaped for the content type.
            </p>
          </TabsContent>
        </Tabs>
      </div>
      {body.mode === "fields" ? (
        <div className="grid gap-5 lg:grid-cols-2">
          <div className="space-y-3">
            <FieldChecklist
              fields={sampleFields}
              values={eventType?.sampleValues ?? {}}
              entity={eventType?.entity ?? "record"}
              picked={new Set(pickedPaths)}
              onToggle={(path, checked) => {
                if (checked) bodyFields.append({ path, as: "" } as never);
                else bodyFields.remove(pickedPaths.flatMap((p, i) => (p === path ? [i] : [])));
              }}
            />
            <p className="text-sm font-medium">Fields sent</p>
            {bodyFields.fields.length === 0 ? (
              <p className="text-muted-foreground text-sm">None yet — tick fields above or add one by its path.</p>
            ) : null}
            {bodyFields.fields.map((row, i) => (
              <div key={row.id} className="flex items-start gap-2">
                <TextField
                  name={`body.fields.${i}.path`}
                  aria-label={`Field ${i + 1}`}
                  placeholder="owner.email"
                  list="sample-fields"
                  mono
                  className="flex-1"
                />
                <TextField
                  name={`body.fields.${i}.as`}
                  aria-label={`Field ${i + 1} sent as`}
                  placeholder="Sent as (optional)"
                  mono
                  className="flex-1"
                />
                <RemoveRowButton label={`Remove field ${i + 1}`} onClick={() => bodyFields.remove(i)} />
              </div>
            ))}
            <Button
              type="button"
              variant="outline"
              size="sm"
              onClick={() => bodyFields.append({ path: "", as: "" } as never)}
            >
              <PlusIcon aria-hidden /> Add field
            </Button>
          </div>
          <div className="space-y-3">
            <p className="text-sm font-medium">Constant parameters</p>
            {constants.fields.length === 0 ? (
              <p className="text-muted-foreground text-sm">None — e.g. source = crm.</p>
            ) : null}
            {constants.fields.map((row, i) => {
              const c = (body.mode === "fields" ? body.constants?.[i] : undefined) ?? { name: "", value: "" };
              const name = c.name ?? "";
              const secret = isSecretConstant({ name, secret: c.secret });
              return (
                <SecretRow
                  key={row.id}
                  prefix={`body.constants.${i}`}
                  label="Constant"
                  index={i}
                  name={name}
                  secret={secret}
                  saved={secret && rowSecretKept && savedSecrets.constants.includes(name.trim())}
                  namePlaceholder="source"
                  valuePlaceholder="crm"
                  onRemove={() => constants.remove(i)}
                />
              );
            })}
            <Button
              type="button"
              variant="outline"
              size="sm"
              onClick={() => constants.append({ name: "", value: "" } as never)}
            >
              <PlusIcon aria-hidden /> Add constant
            </Button>
          </div>
        </div>
      ) : null}
      {body.mode === "template" ? (
        <TextareaField
          name="body.template"
          label="Template"
          labelAction={<PlaceholderPicker fields={sampleFields} target={templateTarget} />}
          popup={suggestions.list}
          {...suggestions.inputProps}
          rows={8}
          textareaClassName="font-mono text-sm"
          spellCheck={false}
          inputRef={templateRef}
        />
      ) : null}
      <div className="space-y-2">
        <p className="text-sm font-medium">Preview</p>
        <p className="text-muted-foreground text-xs">
          Rendered from the sample {eventType?.entity ?? "record"} — what Test would send.
        </p>
        {preview?.error ? (
          <p className="text-destructive text-sm" role="status">
            {preview.error}
          </p>
        ) : preview?.body ? (
          <CodeBlock label="Body preview">{prettyBody(preview.body)}</CodeBlock>
        ) : (
          <p className="text-muted-foreground text-sm">
            {eventChosen ? "Rendering…" : "Choose a trigger event to see the body."}
          </p>
        )}
      </div>
    </Section>
  );
}
