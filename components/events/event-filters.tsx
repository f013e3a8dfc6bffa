"use client";

import Form from "next/form";
import { useRef } from "react";
import { SearchIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import {
  Select,
  SelectContent,
  SelectGroup,
  SelectItem,
  SelectLabel,
  SelectTrigger,
  SelectValue,
} from "@/components/ui/select";
import type { EventTypeOption } from "@/lib/events/catalog";

const ALL = "all";

/**
 * Search (record id, event id or type) and a type filter, as a GET form: the URL holds the filters,
 * and submitting starts again from the newest page. Picking a type submits at once.
 */
export function EventFilters({ q, type, eventTypes }: { q: string; type: string; eventTypes: EventTypeOption[] }) {
  const form = useRef<HTMLFormElement>(null);
  // The catalog's and the company's types, grouped by entity / module.
  const groups = [...new Set(eventTypes.map((e) => e.entity))].map((entity) => ({
    entity,
    types: eventTypes.filter((e) => e.entity === entity),
  }));
  return (
    <Form
      ref={form}
      action="/events"
      role="search"
      aria-label="Events"
      className="flex flex-col gap-2 sm:flex-row sm:items-center"
    >
      <div className="relative w-full sm:max-w-xs">
        <SearchIcon
          className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2"
          aria-hidden
        />
        <Input
          type="search"
          name="q"
          defaultValue={q}
          aria-label="Search events"
          placeholder="Record id, event id or type"
          className="pl-8"
        />
      </div>
      <Select
        name="type"
        defaultValue={type || ALL}
        onValueChange={() => setTimeout(() => form.current?.requestSubmit())}
      >
        <SelectTrigger className="w-full sm:w-56" aria-label="Filter by type">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ALL}>All event types</SelectItem>
          {groups.map((g) => (
            <SelectGroup key={g.entity}>
              <SelectLabel className="capitalize">{g.entity}</SelectLabel>
              {g.types.map((t) => (
                <SelectItem key={t.type} value={t.type}>
                  {t.label} <span className="text-muted-foreground font-mono text-xs">{t.type}</span>
                </SelectItem>
              ))}
            </SelectGroup>
          ))}
        </SelectContent>
      </Select>
      <Button type="submit" variant="outline">
        Search
      </Button>
    </Form>
  );
}
