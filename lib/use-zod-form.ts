"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import {
  useForm,
  type FieldValues,
  type Path,
  type Resolver,
  type UseFormProps,
  type UseFormReturn,
} from "react-hook-form";
import type { z } from "zod";
import type { ActionResult } from "./action";

/**
 * react-hook-form with the zod schema the server action uses (midday's useZodForm). Nothing is judged
 * before the first submit except a field the person edited and left (components/app/form-fields.tsx
 * checks it on leaving); after a submit, every field is re-checked as it changes. Tabbing through an
 * untouched field never shows "required".
 */
export function useZodForm<S extends z.ZodType<FieldValues, FieldValues>>(
  schema: S,
  props?: Omit<UseFormProps<z.input<S>, unknown, z.output<S>>, "resolver">,
) {
  return useForm<z.input<S>, unknown, z.output<S>>({
    mode: "onSubmit",
    reValidateMode: "onChange",
    ...props,
    resolver: zodResolver(schema) as never,
  });
}

/**
 * The same with a schema that loads when the form first validates (its submit, or a field after a
 * failed submit): a page that only shows a small form (sign-in) does not download zod (≈110 KiB) before
 * it can be used. Start the download early by calling the loader when the person starts filling in.
 */
export function useLazyZodForm<S extends z.ZodType<FieldValues, FieldValues>>(
  loadSchema: () => Promise<S>,
  props?: Omit<UseFormProps<z.input<S>, unknown, z.output<S>>, "resolver">,
) {
  const resolver: Resolver<z.input<S>, unknown, z.output<S>> = async (values, context, options) => {
    const schema = await loadSchema();
    return (zodResolver(schema) as never as Resolver<z.input<S>, unknown, z.output<S>>)(values, context, options);
  };
  return useForm<z.input<S>, unknown, z.output<S>>({
    mode: "onSubmit",
    reValidateMode: "onChange",
    ...props,
    resolver,
  });
}

/** Puts every field error the server returned next to its field; returns true when there were some. */
export function applyServerErrors<T extends FieldValues, Out = T>(
  form: UseFormReturn<T, unknown, Out>,
  result: ActionResult<unknown>,
): boolean {
  if (result.ok || !result.fieldErrors) return false;
  let placed = false;
  for (const [field, messages] of Object.entries(result.fieldErrors)) {
    if (field === "_form") continue;
    form.setError(field as Path<T>, { type: "server", message: messages[0] });
    placed = true;
  }
  return placed;
}
