"use client";

import { forwardRef, useMemo, useState, type ReactNode } from "react";
import { useFormContext } from "react-hook-form";
import { CheckIcon, ChevronsUpDownIcon, SearchIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import type { EventTypeOption } from "@/lib/events/catalog";
import { cn } from "@/lib/utils";

/**
 * The trigger event, picked from the catalog (and the company's own types) with a search box (by label,
 * type or entity). Arrow keys move through the results, Enter picks. With `multiple`, the value is a
 * list: picking toggles a type and the list stays open.
 */
export const EventTypePicker = forwardRef<
  HTMLButtonElement,
  {
    id?: string;
    value: string | string[];
    multiple?: boolean;
    onChange: (type: string) => void;
    options: EventTypeOption[];
    disabled?: boolean;
    invalid?: boolean;
    "aria-describedby"?: string;
  }
>(function EventTypePicker({ value, multiple, onChange, options, disabled, invalid, ...aria }, ref) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [cursor, setCursor] = useState(0);
  const values = Array.isArray(value) ? value : value ? [value] : [];
  const isPicked = (type: string) => values.includes(type);
  const picked = values.map((v) => options.find((o) => o.type === v) ?? { type: v, label: v });
  const selected = picked[0];
  const results = useMemo(() => {
    const q = query.trim().toLowerCase();
    return q
      ? options.filter((o) => `${o.label} ${o.type} ${o.entity} ${o.description}`.toLowerCase().includes(q))
      : options;
  }, [options, query]);
  const groups = useMemo(() => {
    const map = new Map<string, EventTypeOption[]>();
    for (const o of results) map.set(o.entity, [...(map.get(o.entity) ?? []), o]);
    return [...map.entries()];
  }, [results]);

  function pick(type: string) {
    onChange(type);
    if (multiple) return;
    setOpen(false);
    setQuery("");
  }

  return (
    <Popover open={open} onOpenChange={setOpen}>
      <PopoverTrigger asChild>
        <Button
          ref={ref}
          id={aria.id}
          type="button"
          variant="outline"
          role="combobox"
          aria-expanded={open}
          aria-invalid={invalid || undefined}
          aria-describedby={aria["aria-describedby"]}
          disabled={disabled}
          className={cn("w-full min-w-0 justify-between font-normal", !selected && "text-muted-foreground")}
        >
          {picked.length > 1 ? (
            <span className="min-w-0 truncate">
              {picked.length} events: {picked.map((p) => p.label).join(", ")}
            </span>
          ) : selected ? (
            <span className="flex min-w-0 items-center gap-2">
              <span className="truncate">{selected.label}</span>
              <code className="text-muted-foreground truncate text-xs">{selected.type}</code>
            </span>
          ) : (
            // Truncated like a choice: the button never widens the form on a phone.
            <span className="min-w-0 truncate">
              {multiple ? "Choose the events that trigger this webhook" : "Choose the event that triggers this webhook"}
            </span>
          )}
          <ChevronsUpDownIcon className="opacity-50" aria-hidden />
        </Button>
      </PopoverTrigger>
      <PopoverContent className="w-(--radix-popover-trigger-width) min-w-80 p-0" align="start">
        <div className="relative border-b">
          <SearchIcon
            className="text-muted-foreground pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2"
            aria-hidden
          />
          <Input
            autoFocus
            aria-label="Search events"
            placeholder="Search events…"
            className="rounded-none border-0 pl-9 shadow-none focus-visible:ring-0"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCursor(0);
            }}
            onKeyDown={(e) => {
              if (e.key === "ArrowDown") {
                e.preventDefault();
                setCursor((c) => Math.min(c + 1, results.length - 1));
              } else if (e.key === "ArrowUp") {
                e.preventDefault();
                setCursor((c) => Math.max(c - 1, 0));
              } else if (e.key === "Enter" && results[cursor]) {
                e.preventDefault();
                pick(results[cursor].type);
              }
            }}
          />
        </div>
        <div
          role="listbox"
          aria-label="Events"
          aria-multiselectable={multiple || undefined}
          className="max-h-72 overflow-y-auto p-1"
        >
          {results.length === 0 ? (
            <p className="text-muted-foreground px-3 py-6 text-center text-sm">No event matches “{query}”.</p>
          ) : null}
          {groups.map(([entity, items]) => (
            <div key={entity} role="group" aria-label={entity}>
              <p className="text-muted-foreground px-2 pt-2 pb-1 text-xs font-medium capitalize">{entity}</p>
              {items.map((o) => {
                const index = results.indexOf(o);
                return (
                  <button
                    key={o.type}
                    type="button"
                    role="option"
                    aria-selected={isPicked(o.type)}
                    onClick={() => pick(o.type)}
                    onMouseEnter={() => setCursor(index)}
                    className={cn(
                      "flex w-full items-start gap-2 rounded-sm px-2 py-1.5 text-left text-sm outline-none",
                      index === cursor ? "bg-accent text-accent-foreground" : "hover:bg-accent/60",
                    )}
                  >
                    <CheckIcon
                      className={cn("mt-0.5 size-4 shrink-0", isPicked(o.type) ? "opacity-100" : "opacity-0")}
                      aria-hidden
                    />
                    <span className="min-w-0">
                      <span className="block">{o.label}</span>
                      <span className="text-muted-foreground block truncate text-xs">
                        <code>{o.type}</code> · {o.description}
                      </span>
                    </span>
                  </button>
                );
              })}
            </div>
          ))}
        </div>
      </PopoverContent>
    </Popover>
  );
});

/**
 * The picker as a form field (label, hint, error) bound to the surrounding react-hook-form by
 * name: the webhook form's trigger and the test event dialog's type. `onPicked` runs after the
 * field has taken the new type.
 */
export function EventTypeField({
  name,
  label,
  description,
  options,
  multiple,
  onPicked,
}: {
  name: string;
  label: string;
  description: ReactNode;
  options: EventTypeOption[];
  /** The field holds a list of types; picking one adds or removes it. */
  multiple?: boolean;
  onPicked?: (type: string) => void;
}) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field, fieldState }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <EventTypePicker
              ref={field.ref}
              value={field.value ?? (multiple ? [] : "")}
              multiple={multiple}
              options={options}
              invalid={Boolean(fieldState.error)}
              onChange={(type) => {
                if (multiple) {
                  const list: string[] = field.value ?? [];
                  field.onChange(list.includes(type) ? list.filter((t) => t !== type) : [...list, type]);
                } else field.onChange(type);
                onPicked?.(type);
              }}
            />
          </FormControl>
          <FormDescription>{description}</FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );
}
