"use client";

import type { ComponentProps, ReactNode } from "react";
import { useFormContext } from "react-hook-form";
import { FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { cn } from "@/lib/utils";

/**
 * The webhook form's repeated field shapes, bound to the surrounding react-hook-form by name
 * (dotted paths such as `headers.0.name`), each with its error message under it.
 */
type InputProps = Omit<ComponentProps<typeof Input>, "name" | "value" | "onChange" | "onBlur" | "className">;

export function TextField({
  name,
  label,
  description,
  className,
  mono,
  ...input
}: { name: string; label?: string; description?: ReactNode; className?: string; mono?: boolean } & InputProps) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem className={className}>
          {label ? <FormLabel>{label}</FormLabel> : null}
          <FormControl>
            <Input autoComplete="off" spellCheck={mono ? false : undefined} {...input} {...field} className={cn(mono && "font-mono text-sm")} value={field.value ?? ""} />
          </FormControl>
          {description ? <FormDescription>{description}</FormDescription> : null}
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

export function NumberField({ name, label, description, min, max }: { name: string; label: string; description: ReactNode; min: number; max: number }) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <Input
              type="number"
              min={min}
              max={max}
              {...field}
              value={field.value ?? ""}
              onChange={(e) => field.onChange(e.target.value === "" ? undefined : e.target.valueAsNumber)}
            />
          </FormControl>
          <FormDescription>{description}</FormDescription>
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

export function SwitchField({ name, label, description }: { name: string; label: string; description: ReactNode }) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem className="flex items-center justify-between gap-4 rounded-lg border p-3">
          <div className="space-y-0.5">
            <FormLabel>{label}</FormLabel>
            <FormDescription>{description}</FormDescription>
          </div>
          <FormControl>
            <Switch checked={Boolean(field.value)} onCheckedChange={field.onChange} />
          </FormControl>
        </FormItem>
      )}
    />
  );
}

/**
 * The "Secret" switch of a header or constant row. `checked` is the row's effective state: on by
 * default for a name that looks like a credential, until the user flips it (then it is theirs).
 */
export function SecretSwitch({ name, checked, label, className }: { name: string; checked: boolean; label: string; className?: string }) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem className={cn("flex h-9 flex-row items-center gap-2", className)}>
          <FormControl>
            <Switch aria-label={label} checked={checked} onCheckedChange={field.onChange} ref={field.ref} onBlur={field.onBlur} />
          </FormControl>
          <span className="text-muted-foreground text-xs" aria-hidden>
            Secret
          </span>
        </FormItem>
      )}
    />
  );
}

export function SelectField({
  name,
  label,
  options,
  className,
  mono,
  placeholder,
  "aria-label": ariaLabel,
}: {
  name: string;
  label?: string;
  options: readonly (readonly [string, string])[];
  className?: string;
  mono?: boolean;
  placeholder?: string;
  "aria-label"?: string;
}) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem className={className}>
          {label ? <FormLabel>{label}</FormLabel> : null}
          <Select value={field.value ?? ""} onValueChange={field.onChange}>
            <FormControl>
              <SelectTrigger className={cn("w-full", mono && "font-mono")} aria-label={ariaLabel}>
                <SelectValue placeholder={placeholder} />
              </SelectTrigger>
            </FormControl>
            <SelectContent>
              {options.map(([value, text]) => (
                <SelectItem key={value} value={value} className={cn(mono && "font-mono")}>
                  {text}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <FormMessage />
        </FormItem>
      )}
    />
  );
}
