"use client";

import { XIcon } from "lucide-react";
import { SecretSwitch, TextField } from "@/components/app/form-fields";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";

export function RemoveRowButton({
  label,
  onClick,
  className,
}: {
  label: string;
  onClick: () => void;
  className?: string;
}) {
  return (
    <Button
      type="button"
      variant="ghost"
      size="icon"
      aria-label={label}
      onClick={onClick}
      className={cn("text-muted-foreground hover:text-destructive mt-0.5 shrink-0", className)}
    >
      <XIcon aria-hidden />
    </Button>
  );
}

/**
 * A custom header or constant parameter: name, value, its Secret switch and remove. A secret value is
 * typed like a password and never shown again: a saved one leaves the input blank (blank keeps it).
 * On a narrow screen the value goes under the name and the switch under the value.
 */
export function SecretRow({
  prefix,
  label,
  index,
  name,
  secret,
  saved,
  namePlaceholder,
  valuePlaceholder,
  onRemove,
}: {
  prefix: string;
  label: "Header" | "Constant";
  index: number;
  name: string;
  secret: boolean;
  saved: boolean;
  namePlaceholder: string;
  valuePlaceholder: string;
  onRemove: () => void;
}) {
  const n = index + 1;
  return (
    <div className="grid grid-cols-[minmax(0,1fr)_auto] items-start gap-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.5fr)_auto_auto]">
      <TextField name={`${prefix}.name`} aria-label={`${label} ${n} name`} placeholder={namePlaceholder} mono />
      <TextField
        name={`${prefix}.value`}
        aria-label={`${label} ${n} value`}
        type={secret ? "password" : "text"}
        autoComplete={secret ? "new-password" : "off"}
        placeholder={saved ? "Saved — type to replace" : secret ? "secret value" : valuePlaceholder}
        mono
        className="col-span-2 row-start-2 sm:col-span-1 sm:row-start-auto"
      />
      <SecretSwitch
        name={`${prefix}.secret`}
        checked={secret}
        label={`Keep ${name.trim() || `${label.toLowerCase()} ${n}`} secret`}
        className="row-start-3 sm:row-start-auto"
      />
      <RemoveRowButton
        label={`Remove ${label.toLowerCase()} ${n}`}
        onClick={onRemove}
        className="col-start-2 row-start-1 sm:col-start-auto sm:row-start-auto"
      />
    </div>
  );
}
