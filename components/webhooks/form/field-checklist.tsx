"use client";

import { useId } from "react";
import { Checkbox } from "@/components/ui/checkbox";

/**
 * "Selected parameters": the sample record's fields as a checklist, each with its sample value; ticking one adds it to
 * the body's fields (renamed in the rows below), unticking removes it. Paths typed by hand stay in the rows.
 */
export function FieldChecklist({
  fields,
  values,
  entity,
  picked,
  onToggle,
}: {
  fields: string[];
  values: Record<string, string>;
  entity: string;
  picked: ReadonlySet<string>;
  onToggle: (path: string, checked: boolean) => void;
}) {
  const id = useId();
  if (!fields.length) return null;
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">
        From the sample {entity} <span className="text-muted-foreground font-normal">({picked.size} picked)</span>
      </legend>
      <ul className="max-h-72 divide-y overflow-y-auto rounded-lg border" aria-label="Fields of the sample record">
        {fields.map((path, i) => {
          const box = `${id}-${i}`;
          return (
            <li key={path} className="hover:bg-muted/50 flex items-center gap-3 px-3 py-2">
              <Checkbox
                id={box}
                checked={picked.has(path)}
                onCheckedChange={(checked) => onToggle(path, checked === true)}
              />
              <label htmlFor={box} className="flex min-w-0 flex-1 cursor-pointer flex-wrap items-baseline gap-x-3">
                <code className="text-sm break-all">{path}</code>
                {values[path] !== undefined ? (
                  <span className="text-muted-foreground min-w-0 truncate text-xs" title={values[path]}>
                    {values[path] || "(empty)"}
                  </span>
                ) : null}
              </label>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
