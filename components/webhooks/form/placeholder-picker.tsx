"use client";

import { useId, useState, type KeyboardEvent, type ReactNode, type RefObject } from "react";
import { BracesIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { cn } from "@/lib/utils";
import { EVENT_PLACEHOLDERS, placeholderQuery, placeholderSuggestions, replaceQuery } from "./placeholders";

type TextElement = HTMLInputElement | HTMLTextAreaElement;

/** Puts the caret at `position` in the element once React has written the new value. */
function caretTo(el: TextElement | null, position: number) {
  if (!el) return;
  requestAnimationFrame(() => {
    el.focus();
    el.setSelectionRange(position, position);
  });
}

/**
 * The URL or template a placeholder goes into: its element, its value and how to set it. Inserting
 * replaces the selection (or goes at the caret, or at the end) and gives the caret back after it.
 */
export interface PlaceholderTarget {
  inputRef: RefObject<TextElement | null>;
  get: () => string;
  set: (value: string) => void;
}

function insertInto(target: PlaceholderTarget, text: string) {
  const el = target.inputRef.current;
  const current = target.get();
  const start = el?.selectionStart ?? current.length;
  const end = el?.selectionEnd ?? start;
  target.set(current.slice(0, start) + text + current.slice(end));
  caretTo(el, start + text.length);
}

/** Inserts `{{…}}` placeholders from the event's sample record; the caret comes back after the placeholder. */
export function PlaceholderPicker({
  fields,
  target,
  label = "Insert placeholder",
}: {
  fields: string[];
  target: PlaceholderTarget;
  label?: string;
}) {
  const pick = (p: string) => insertInto(target, `{{${p}}}`);
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button type="button" variant="outline" size="sm">
          <BracesIcon aria-hidden />
          {label}
        </Button>
      </DropdownMenuTrigger>
      {/* Focus goes back to the field (at the caret), not to this button. */}
      <DropdownMenuContent
        align="end"
        className="max-h-80 w-64 overflow-y-auto"
        onCloseAutoFocus={(e) => e.preventDefault()}
      >
        <DropdownMenuLabel>Event</DropdownMenuLabel>
        {EVENT_PLACEHOLDERS.map((p) => (
          <DropdownMenuItem key={p} onSelect={() => pick(p)} className="font-mono text-xs">
            {`{{${p}}}`}
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuLabel>Record</DropdownMenuLabel>
        {fields.length === 0 ? (
          <p className="text-muted-foreground px-2 py-1.5 text-xs">Choose a trigger event first.</p>
        ) : null}
        {fields.map((p) => (
          <DropdownMenuItem key={p} onSelect={() => pick(`data.${p}`)} className="font-mono text-xs">
            {`{{data.${p}}}`}
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/**
 * Typing `{{` in the URL or template offers the placeholders (narrowed as the name is typed): arrows
 * move, Enter or Tab takes one, Escape closes. Returns the props for the input and the list to show
 * under it.
 */
export function usePlaceholderSuggestions(
  fields: string[],
  target: PlaceholderTarget,
  /** An input is a combobox; a textarea stays a text box (a role it may not change) with the list attached. */
  element: "input" | "textarea",
): { inputProps: Record<string, unknown>; list: ReactNode } {
  const id = useId();
  const [query, setQuery] = useState<{ text: string; start: number } | null>(null);
  const [active, setActive] = useState(0);
  const options = query ? placeholderSuggestions(query.text, fields) : [];
  const open = options.length > 0;

  function refresh() {
    const el = target.inputRef.current;
    if (!el || el.selectionStart === null || el.selectionStart !== el.selectionEnd) return setQuery(null);
    const found = placeholderQuery(el.value, el.selectionStart);
    setQuery((prev) => (prev?.text === found?.text && prev?.start === found?.start ? prev : found));
    if (found?.text !== query?.text) setActive(0);
  }

  function take(option: string) {
    const el = target.inputRef.current;
    if (!el || !query) return;
    const { value, caret } = replaceQuery(el.value, query.start, el.selectionStart ?? el.value.length, option);
    target.set(value);
    setQuery(null);
    caretTo(el, caret);
  }

  function onKeyDown(e: KeyboardEvent<TextElement>) {
    if (!open) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((i) => (i + step + options.length) % options.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      take(options[Math.min(active, options.length - 1)]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setQuery(null);
    }
  }

  const listId = `${id}-placeholders`;
  const optionId = (i: number) => `${id}-placeholder-${i}`;
  return {
    inputProps: {
      ...(element === "input" ? { role: "combobox", "aria-expanded": open } : {}),
      "aria-autocomplete": "list",
      "aria-controls": open ? listId : undefined,
      "aria-activedescendant": open ? optionId(Math.min(active, options.length - 1)) : undefined,
      onKeyDown,
      onKeyUp: refresh,
      onClick: refresh,
      onInput: refresh,
      onBlurCapture: () => setQuery(null),
    },
    list: open ? (
      <ul
        id={listId}
        role="listbox"
        aria-label="Placeholders"
        className="bg-popover text-popover-foreground absolute top-full left-0 z-30 mt-1 max-h-64 w-full max-w-sm overflow-y-auto rounded-md border p-1 shadow-md"
      >
        {options.map((option, i) => (
          <li
            key={option}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            // Keeps the focus in the field while a suggestion is clicked.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => take(option)}
            className={cn(
              "cursor-default rounded-sm px-2 py-1.5 font-mono text-xs",
              i === active && "bg-accent text-accent-foreground",
            )}
          >
            {`{{${option}}}`}
          </li>
        ))}
      </ul>
    ) : null,
  };
}
