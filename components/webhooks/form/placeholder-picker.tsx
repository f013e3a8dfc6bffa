"use client";

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

/** Inserts `{{…}}` placeholders from the event's sample record. */
export function PlaceholderPicker({
  fields,
  onPick,
  label = "Insert placeholder",
}: {
  fields: string[];
  onPick: (placeholder: string) => void;
  label?: string;
}) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button type="button" variant="outline" size="sm">
          <BracesIcon aria-hidden />
          {label}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="max-h-80 w-64 overflow-y-auto">
        <DropdownMenuLabel>Event</DropdownMenuLabel>
        {["event.id", "event.type", "event.occurredAt"].map((p) => (
          <DropdownMenuItem key={p} onSelect={() => onPick(`{{${p}}}`)} className="font-mono text-xs">
            {`{{${p}}}`}
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuLabel>Record</DropdownMenuLabel>
        {fields.length === 0 ? (
          <p className="text-muted-foreground px-2 py-1.5 text-xs">Choose a trigger event first.</p>
        ) : null}
        {fields.map((p) => (
          <DropdownMenuItem key={p} onSelect={() => onPick(`{{data.${p}}}`)} className="font-mono text-xs">
            {`{{data.${p}}}`}
          </DropdownMenuItem>
        ))}
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** Inserts text at the caret of an input or textarea (or at the end), returning the new value. */
export function insertAt(el: HTMLInputElement | HTMLTextAreaElement | null, current: string, text: string): string {
  if (!el || el.selectionStart === null) return current + text;
  const start = el.selectionStart;
  const end = el.selectionEnd ?? start;
  return current.slice(0, start) + text + current.slice(end);
}
