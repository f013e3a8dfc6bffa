"use client";

import type { ComponentProps, ReactNode, RefObject } from "react";
import { useFormContext, type ControllerRenderProps } from "react-hook-form";
import { FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";

/**
 * The text field and the frame every field of components/app/form-fields.tsx shares, in a file of
 * their own: the account forms (sign-in, sign-up…) need only this, not the selects, switches and
 * text areas (and their popup code) of the other fields.
 */

export interface ShellProps {
  label?: string;
  /** Beside the label, at the end of its line (a "Create one" link, an "Insert placeholder" menu). */
  labelAction?: ReactNode;
  description?: ReactNode;
  /** The FormItem's classes (grid placement in a row). */
  className?: string;
  messageClassName?: string;
}

/** Label (with its action), the control, the hint and the error: the frame every field shares. */
export function FieldShell({
  label,
  labelAction,
  description,
  className,
  messageClassName,
  children,
}: ShellProps & { children: ReactNode }) {
  const labelElement = label ? <FormLabel>{label}</FormLabel> : null;
  return (
    <FormItem className={className}>
      {labelAction ? (
        <div className="flex items-center justify-between gap-2">
          {labelElement}
          {labelAction}
        </div>
      ) : (
        labelElement
      )}
      {children}
      {description ? <FormDescription>{description}</FormDescription> : null}
      <FormMessage className={messageClassName} />
    </FormItem>
  );
}

/** The field's own ref, and the caller's too when it needs the element (to insert at the caret). */
export function withRef<E>(field: ControllerRenderProps, inputRef: RefObject<E | null> | undefined) {
  if (!inputRef) return field;
  return {
    ...field,
    ref: (el: E | null) => {
      field.ref(el);
      inputRef.current = el;
    },
  };
}

type InputProps = Omit<ComponentProps<typeof Input>, "name" | "value" | "onChange" | "onBlur" | "className" | "ref">;

export function TextField({
  name,
  mono,
  inputClassName,
  inputRef,
  leading,
  label,
  labelAction,
  description,
  className,
  messageClassName,
  ...input
}: ShellProps & {
  name: string;
  /** Code-like values: monospace, no spell checking. */
  mono?: boolean;
  inputClassName?: string;
  inputRef?: RefObject<HTMLInputElement | null>;
  /** An icon inside the input's start; `null` keeps the (empty) slot so the input is not remounted when it comes and
   * goes. */
  leading?: ReactNode;
} & InputProps) {
  const { control } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => {
        const element = (
          <FormControl>
            <Input
              autoComplete="off"
              spellCheck={mono ? false : undefined}
              {...input}
              {...withRef(field, inputRef)}
              className={cn(mono && "font-mono text-sm", inputClassName) || undefined}
              value={field.value ?? ""}
            />
          </FormControl>
        );
        return (
          <FieldShell
            label={label}
            labelAction={labelAction}
            description={description}
            className={className}
            messageClassName={messageClassName}
          >
            {leading === undefined ? (
              element
            ) : (
              <div className="relative">
                {leading}
                {element}
              </div>
            )}
          </FieldShell>
        );
      }}
    />
  );
}
