"use client";

import { CheckIcon } from "lucide-react";
import { Button } from "@/components/ui/button";

/**
 * The values a condition's field is known to take (a deal's stage: Prospect … Lost, lib/events/catalog.ts
 * KNOWN_FIELD_VALUES): a datalist for the value input (`listId`) and one button per value that puts it in — added to
 * the list for "is one of" / "is not one of". The value stays free text: a business app may have its own.
 */
export function KnownValues({
  listId,
  field,
  values,
  current,
  multiple,
  onPick,
}: {
  listId: string;
  field: string;
  values: string[];
  current: string;
  /** The value is a comma-separated list (is one of, is not one of). */
  multiple: boolean;
  onPick: (value: string) => void;
}) {
  if (!values.length) return null;
  const chosen = multiple
    ? current
        .split(",")
        .map((v) => v.trim())
        .filter(Boolean)
    : [current.trim()];
  return (
    <>
      <datalist id={listId}>
        {values.map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
      <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label={`Known values of ${field}`}>
        <span className="text-muted-foreground text-xs">Known values:</span>
        {values.map((v) => {
          const on = chosen.includes(v);
          return (
            <Button
              key={v}
              type="button"
              size="sm"
              variant={on ? "secondary" : "outline"}
              className="h-7 px-2 text-xs"
              aria-pressed={on}
              onClick={() => onPick(multiple ? (on ? chosen.filter((c) => c !== v) : [...chosen, v]).join(", ") : v)}
            >
              {on ? <CheckIcon aria-hidden className="size-3" /> : null}
              {v}
            </Button>
          );
        })}
      </div>
    </>
  );
}
