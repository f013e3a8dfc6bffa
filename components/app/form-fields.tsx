"use client";

import type { ComponentProps, ReactNode, RefObject } from "react";
import { useFormContext } from "react-hook-form";
import { FormControl, FormDescription, FormField, FormItem, FormLabel } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { Textarea } from "@/components/ui/textarea";
import { cn } from "@/lib/utils";
import { bindField, FieldShell, type ShellProps } from "./text-field";

export { TextField } from "./text-field";

/**
 * The app's form fields, bound to the surrounding react-hook-form (`<Form {...form}>`) by name
 * (dotted paths such as `headers.0.name`), each with its label, hint and error message under it.
 * Every form of the app uses them: the webhook form, the OAuth credential dialog, the account
 * forms, the settings dialogs and the test event dialog.
 */

type TextareaProps = Omit<
  ComponentProps<typeof Textarea>,
  "name" | "value" | "onChange" | "onBlur" | "className" | "ref"
>;

export function TextareaField({
  name,
  textareaClassName,
  inputRef,
  label,
  labelAction,
  description,
  className,
  messageClassName,
  popup,
  ...textarea
}: ShellProps & {
  name: string;
  textareaClassName?: string;
  inputRef?: RefObject<HTMLTextAreaElement | null>;
} & TextareaProps) {
  const { control, trigger } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={(props) => (
        <FieldShell
          label={label}
          labelAction={labelAction}
          description={description}
          className={className}
          messageClassName={messageClassName}
        >
          <div className="relative">
            <FormControl>
              <Textarea
                {...textarea}
                className={textareaClassName}
                {...bindField(props, trigger, inputRef)}
                value={props.field.value ?? ""}
              />
            </FormControl>
            {popup}
          </div>
        </FieldShell>
      )}
    />
  );
}

export function NumberField({
  name,
  label,
  description,
  min,
  max,
}: {
  name: string;
  label: string;
  description: ReactNode;
  min: number;
  max: number;
}) {
  const { control, trigger } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={(props) => {
        const bound = bindField(props, trigger);
        return (
          <FieldShell label={label} description={description}>
            <FormControl>
              <Input
                type="number"
                min={min}
                max={max}
                {...bound}
                value={props.field.value ?? ""}
                onChange={(e) => bound.onChange(e.target.value === "" ? undefined : e.target.valueAsNumber)}
              />
            </FormControl>
          </FieldShell>
        );
      }}
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
 * The "Secret" switch of a header, constant or OAuth parameter row. `checked` is the row's effective
 * state: on by default for a name that looks like a credential, until the user flips it (then it is theirs).
 */
export function SecretSwitch({
  name,
  checked,
  label,
  className,
  captionClassName,
}: {
  name: string;
  checked: boolean;
  label: string;
  className?: string;
  captionClassName?: string;
}) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem className={cn("flex h-9 flex-row items-center gap-2", className)}>
          <FormControl>
            <Switch
              aria-label={label}
              checked={checked}
              onCheckedChange={field.onChange}
              ref={field.ref}
              onBlur={field.onBlur}
            />
          </FormControl>
          <span className={cn("text-muted-foreground text-xs", captionClassName)} aria-hidden>
            Secret
          </span>
        </FormItem>
      )}
    />
  );
}

/** `[value, text]`, or `[value, text, disabled]`. */
export type SelectOption = readonly [value: string, text: string, disabled?: boolean];

export function SelectField({
  name,
  options,
  mono,
  placeholder,
  fallback = "",
  triggerClassName,
  "aria-label": ariaLabel,
  ...shell
}: ShellProps & {
  name: string;
  options: readonly SelectOption[];
  mono?: boolean;
  placeholder?: string;
  /** The value shown while the form holds none. */
  fallback?: string;
  /** The trigger's classes (e.g. letting a long option wrap on narrow screens). */
  triggerClassName?: string;
  "aria-label"?: string;
}) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FieldShell {...shell}>
          <Select value={field.value ?? fallback} onValueChange={field.onChange}>
            <FormControl>
              <SelectTrigger
                className={cn("w-full", mono && "font-mono", triggerClassName)}
                aria-label={ariaLabel}
                ref={field.ref}
                onBlur={field.onBlur}
              >
                <SelectValue placeholder={placeholder} />
              </SelectTrigger>
            </FormControl>
            <SelectContent>
              {options.map(([value, text, disabled]) => (
                <SelectItem key={value} value={value} disabled={disabled} className={cn(mono && "font-mono")}>
                  {text}
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
        </FieldShell>
      )}
    />
  );
}
