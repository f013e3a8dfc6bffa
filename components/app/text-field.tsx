"use client";

import type { ChangeEvent, ComponentProps, ReactNode, RefObject } from "react";
import { useFormContext, type ControllerFieldState, type ControllerRenderProps } from "react-hook-form";
import { FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { cn } from "@/lib/utils";

/**
 * The text field and the frame every field of components/app/form-fields.tsx shares, in a file of
 * their own: the account forms (sign-in, sign-up…) need only this, not the selects, switches and
 * text areas (and their popup code) of the other fields.
 *
 * When errors show (with useZodForm's modes): after the first submit, or once the person really edited
 * the field and leaves it — never for a field they only tabbed through. Each field keeps one line under
 * it for its error, so an error appearing never moves what is below (a button about to be clicked).
 */

export interface ShellProps {
  label?: string;
  /** Beside the label, at the end of its line (a "Create one" link, an "Insert placeholder" menu). */
  labelAction?: ReactNode;
  description?: ReactNode;
  /** The FormItem's classes (grid placement in a row). */
  className?: string;
  messageClassName?: string;
  /** Shown over the page just under the control (a list of suggestions); `null` keeps its slot (the control is not
   * remounted, losing the focus, when the list comes and goes). */
  popup?: ReactNode;
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
      {/* The error's line is kept even while empty: an error appearing moves nothing below it. */}
      <div className="min-h-5" data-slot="form-message-line">
        <FormMessage className={messageClassName} />
      </div>
    </FormItem>
  );
}

/**
 * The field's bindings: leaving a field the person edited checks it (a field only tabbed through is
 * not judged before the first submit), an edit re-checks a field showing an error, and the caller
 * gets the element too when it needs it (to insert at the caret).
 */
export function bindField<E>(
  { field, fieldState }: { field: ControllerRenderProps; fieldState: ControllerFieldState },
  trigger: (name: string) => Promise<boolean>,
  inputRef?: RefObject<E | null>,
) {
  return {
    ...field,
    onBlur: () => {
      field.onBlur();
      if (fieldState.isDirty) void trigger(field.name);
    },
    onChange: (value: ChangeEvent<HTMLInputElement | HTMLTextAreaElement> | unknown) => {
      field.onChange(value);
      if (fieldState.error) void trigger(field.name);
    },
    ref: (el: E | null) => {
      field.ref(el);
      if (inputRef) inputRef.current = el;
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
  popup,
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
  const { control, trigger } = useFormContext();
  return (
    <FormField
      control={control}
      name={name}
      render={(props) => {
        const element = (
          <FormControl>
            <Input
              autoComplete="off"
              spellCheck={mono ? false : undefined}
              {...input}
              {...bindField(props, trigger, inputRef)}
              className={cn(mono && "font-mono text-sm", inputClassName) || undefined}
              value={props.field.value ?? ""}
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
            {leading === undefined && popup === undefined ? (
              element
            ) : (
              <div className="relative">
                {leading}
                {element}
                {popup}
              </div>
            )}
          </FieldShell>
        );
      }}
    />
  );
}
