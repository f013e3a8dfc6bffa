"use client";

import { PlusIcon, XIcon } from "lucide-react";
import { useFieldArray, useWatch } from "react-hook-form";
import { SelectField, TextField } from "@/components/app/form-fields";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { knownFieldValues, type EventTypeOption } from "@/lib/events/catalog";
import { CONDITION_OPERATORS, TRIGGER_MODE_LABELS, TRIGGER_MODES, type TriggerMode } from "@/lib/validations/webhook";
import { EventTypeField } from "../event-type-picker";
import { useWebhookFormContext } from "./form-context";
import { KnownValues } from "./known-values";
import { RemoveRowButton } from "./rows";
import { Section } from "./section";

const OPERATOR_LABELS: Record<(typeof CONDITION_OPERATORS)[number], string> = {
  equals: "equals",
  not_equals: "does not equal",
  in: "is one of",
  not_in: "is not one of",
  contains: "contains",
  is_empty: "is empty",
  is_not_empty: "is not empty",
  greater_than: "is greater than",
  less_than: "is less than",
  changed: "changed",
  changed_to: "changed to",
  changed_from: "changed from",
};
const OPERATOR_OPTIONS = CONDITION_OPERATORS.map((o) => [o, OPERATOR_LABELS[o]] as const);
const VALUELESS = new Set(["is_empty", "is_not_empty", "changed"]);

const TRIGGER_MODE_OPTIONS = TRIGGER_MODES.map((m) => [m, TRIGGER_MODE_LABELS[m]] as const);
const TRIGGER_MODE_HINTS: Record<TriggerMode, string> = {
  every: "Each event whose record meets the conditions is sent.",
  first_time:
    "Sent once per record (by its id): for the first event whose record meets the conditions; never again for that record.",
  until_first:
    "Every event of a record is sent until the first one that meets the conditions (that one included); then never again for that record.",
};

/**
 * The trigger: one or more event types ("created or updated" is one webhook), how often it fires per
 * record, and the conditions the record must meet (a datalist of the samples' fields helps type them; a field whose
 * values are known — a deal's stage — offers them).
 */
export function TriggerSection({
  eventTypes,
  chosen,
  sampleFields,
}: {
  eventTypes: EventTypeOption[];
  chosen: EventTypeOption[];
  sampleFields: string[];
}) {
  const { control, setValue, getValues } = useWebhookFormContext();
  const triggerMode = useWatch({ control, name: "triggerMode" }) ?? "every";
  const eventType = chosen[0];
  const rules = useFieldArray({ control, name: "conditions.rules" as never });
  const ruleValues = useWatch({ control, name: "conditions.rules" });
  const entities = [...new Set(chosen.map((e) => e.entity))];
  return (
    <Section
      id="trigger"
      title="Trigger"
      description="The event that sends this webhook, and optionally conditions the record must meet."
    >
      <EventTypeField
        name="eventTypes"
        label="Events"
        multiple
        options={eventTypes}
        description={
          chosen.length > 1
            ? `Any of ${chosen.length} events sends it; Test uses the first one's sample record.`
            : eventType
              ? eventType.description
              : "Pick one or more from the catalog (or your own event types); Test sends the first one's sample record."
        }
      />
      {chosen.length > 1 ? (
        <ul className="flex flex-wrap gap-2" aria-label="Chosen events">
          {chosen.map((e) => (
            <li key={e.type}>
              <Badge variant="secondary" className="gap-1 pr-1">
                <span>{e.label}</span>
                <button
                  type="button"
                  className="hover:bg-muted-foreground/20 rounded-sm p-0.5"
                  aria-label={`Remove ${e.label}`}
                  onClick={() =>
                    setValue(
                      "eventTypes",
                      (getValues("eventTypes") ?? []).filter((t) => t !== e.type),
                      { shouldDirty: true, shouldValidate: true },
                    )
                  }
                >
                  <XIcon className="size-3" aria-hidden />
                </button>
              </Badge>
            </li>
          ))}
        </ul>
      ) : null}
      <SelectField
        name="triggerMode"
        label="Send"
        options={TRIGGER_MODE_OPTIONS}
        fallback="every"
        // The modes' long names wrap rather than widen the form on a phone.
        triggerClassName="min-w-0 text-left whitespace-normal data-[size=default]:h-auto data-[size=default]:min-h-9 *:data-[slot=select-value]:min-w-0 *:data-[slot=select-value]:line-clamp-2"
        description={TRIGGER_MODE_HINTS[triggerMode as TriggerMode]}
      />
      <div className="space-y-3">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="font-medium">Conditions</span>
          {rules.fields.length > 1 ? (
            <>
              <span className="text-muted-foreground">— send when</span>
              <FormField
                control={control}
                name="conditions.match"
                render={({ field }) => (
                  <Select value={field.value ?? "all"} onValueChange={field.onChange}>
                    <SelectTrigger size="sm" className="w-24" aria-label="Match">
                      <SelectValue />
                    </SelectTrigger>
                    <SelectContent>
                      <SelectItem value="all">all</SelectItem>
                      <SelectItem value="any">any</SelectItem>
                    </SelectContent>
                  </Select>
                )}
              />
              <span className="text-muted-foreground">of these are true</span>
            </>
          ) : (
            <span className="text-muted-foreground">
              — optional: without any, every {chosen.length === 1 ? eventType.label.toLowerCase() : "chosen event"} is
              sent
            </span>
          )}
        </div>
        <datalist id="sample-fields">
          {sampleFields.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        {rules.fields.map((row, i) => {
          const op = ruleValues?.[i]?.operator ?? "equals";
          const field = ruleValues?.[i]?.field ?? "";
          const multiple = op === "in" || op === "not_in";
          const known = VALUELESS.has(op) ? [] : knownFieldValues(entities, field);
          const listId = `condition-values-${i}`;
          return (
            <div key={row.id} className="space-y-2 rounded-lg border p-3">
              <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
                <TextField
                  name={`conditions.rules.${i}.field`}
                  aria-label={`Condition ${i + 1} field`}
                  placeholder="stage"
                  list="sample-fields"
                  className="flex-1"
                />
                <SelectField
                  name={`conditions.rules.${i}.operator`}
                  aria-label={`Condition ${i + 1} operator`}
                  options={OPERATOR_OPTIONS}
                  className="sm:w-44"
                />
                <TextField
                  name={`conditions.rules.${i}.value`}
                  aria-label={`Condition ${i + 1} value`}
                  placeholder={multiple ? "Won, Lost" : VALUELESS.has(op) ? "No value needed" : "Won"}
                  disabled={VALUELESS.has(op)}
                  list={known.length && !multiple ? listId : undefined}
                  className="flex-1"
                />
                <RemoveRowButton label={`Remove condition ${i + 1}`} onClick={() => rules.remove(i)} />
              </div>
              <KnownValues
                listId={listId}
                field={field.trim()}
                values={known}
                current={String(ruleValues?.[i]?.value ?? "")}
                multiple={multiple}
                onPick={(value) =>
                  setValue(`conditions.rules.${i}.value` as never, value as never, {
                    shouldDirty: true,
                    shouldValidate: true,
                  })
                }
              />
            </div>
          );
        })}
        <Button
          type="button"
          variant="outline"
          size="sm"
          onClick={() => rules.append({ field: "", operator: "equals", value: "" } as never)}
        >
          <PlusIcon aria-hidden /> Add condition
        </Button>
      </div>
    </Section>
  );
}
