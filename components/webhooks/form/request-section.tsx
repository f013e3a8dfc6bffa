"use client";

import { useRef } from "react";
import { PlusIcon } from "lucide-react";
import { useFieldArray, useWatch } from "react-hook-form";
import { SelectField, SwitchField, TextField } from "@/components/app/form-fields";
import { Button } from "@/components/ui/button";
import type { SavedSecrets } from "@/lib/actions/webhook-reads";
import { HTTP_METHODS, isSecretHeader } from "@/lib/validations/webhook";
import { useWebhookFormContext } from "./form-context";
import { PlaceholderPicker, usePlaceholderSuggestions, type PlaceholderTarget } from "./placeholder-picker";
import { SecretRow } from "./rows";
import { Section } from "./section";

const METHOD_OPTIONS = HTTP_METHODS.map((m) => [m, m] as const);

/**
 * Method, URL (placeholders from the sample record), the entity query parameters and the custom
 * headers. `rowSecretKept`: a saved secret header left blank is kept (same host as saved).
 */
export function RequestSection({
  sampleFields,
  savedSecrets,
  rowSecretKept,
}: {
  sampleFields: string[];
  savedSecrets: SavedSecrets;
  rowSecretKept: boolean;
}) {
  const form = useWebhookFormContext();
  const { control } = form;
  const headers = useFieldArray({ control, name: "headers" });
  const headerValues = useWatch({ control, name: "headers" });
  const urlRef = useRef<HTMLInputElement | null>(null);
  const urlTarget: PlaceholderTarget = {
    inputRef: urlRef,
    get: () => form.getValues("url") ?? "",
    set: (value) => form.setValue("url", value, { shouldDirty: true, shouldValidate: true }),
  };
  const suggestions = usePlaceholderSuggestions(sampleFields, urlTarget, "input");
  return (
    <Section id="request" title="Request" description="Where the webhook sends the record, and how.">
      <div className="grid gap-4 sm:grid-cols-[8rem_1fr]">
        <SelectField name="method" label="Method" options={METHOD_OPTIONS} mono />
        <TextField
          name="url"
          label="URL"
          labelAction={<PlaceholderPicker fields={sampleFields} target={urlTarget} />}
          popup={suggestions.list}
          {...suggestions.inputProps}
          type="url"
          inputMode="url"
          placeholder="https://billing.example.com/hooks/deals/{{data.id}}"
          mono
          inputRef={urlRef}
          description={<>http:// or https://. Placeholders such as {"{{data.id}}"} are filled from the record.</>}
        />
      </div>
      <SwitchField
        name="includeEntityParams"
        label="Add query parameters"
        description={
          <>
            Appends <code>entityType</code>, <code>entityId</code> and <code>eventType</code> to the URL.
          </>
        }
      />
      <div className="space-y-3">
        <div>
          <p className="text-sm font-medium">Custom headers</p>
          <p className="text-muted-foreground text-sm">
            Names may not contain spaces; trailing spaces are trimmed. Values may hold placeholders, except secret ones:
            a secret (on by default for names such as X-Api-Token) is encrypted, never shown again and masked in logs.
          </p>
          <p className="text-muted-foreground text-sm">
            One row per header: a name listed twice is refused. For several values, put them in one row separated by
            commas (<code>Accept-Language: en, de</code>), which receivers read as the header sent twice. Name and value
            are separate fields here, so a comma or colon in a value is safe.
          </p>
        </div>
        {headers.fields.map((row, i) => {
          const h = headerValues?.[i] ?? { name: "", value: "" };
          const secret = isSecretHeader({ name: h.name ?? "", value: h.value ?? "", secret: h.secret });
          const name = h.name ?? "";
          return (
            <SecretRow
              key={row.id}
              prefix={`headers.${i}`}
              label="Header"
              index={i}
              name={name}
              secret={secret}
              saved={secret && rowSecretKept && savedSecrets.headers.includes(name.trim().toLowerCase())}
              namePlaceholder="X-Source"
              valuePlaceholder="hookrelay"
              onRemove={() => headers.remove(i)}
            />
          );
        })}
        <Button type="button" variant="outline" size="sm" onClick={() => headers.append({ name: "", value: "" })}>
          <PlusIcon aria-hidden /> Add header
        </Button>
      </div>
    </Section>
  );
}
