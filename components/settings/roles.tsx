"use client";

import { PlusIcon, Trash2Icon } from "lucide-react";
import { useOptimistic, useState, useTransition } from "react";
import { toast } from "sonner";
import { createRoleAction, deleteRoleAction, setRolePermissionAction } from "@/app/(app)/settings/roles/actions";
import { FormDialogFooter } from "@/components/app/form-dialog-footer";
import { ConfirmAction } from "@/components/app/confirm-action";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { TextField } from "@/components/app/form-fields";
import { Form } from "@/components/ui/form";
import type { Permission } from "@/lib/permissions";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { createRoleSchema } from "@/lib/validations/settings";

/**
 * One cell of the role × permission matrix. The tick changes at once (optimistic); when the
 * server refuses, the transition ends without new data and the stored value shows again.
 */
export function PermissionCell({
  roleId,
  roleName,
  permission,
  permissionLabel,
  granted,
  disabled = false,
  includedIn,
}: {
  roleId: string;
  roleName: string;
  permission: Permission;
  permissionLabel: string;
  granted: boolean;
  disabled?: boolean;
  /** The label of a permission the role holds that includes this one: shown ticked and locked, with why. */
  includedIn?: string | null;
}) {
  const [pending, startTransition] = useTransition();
  const [checked, setChecked] = useOptimistic(granted);

  function toggle(next: boolean | "indeterminate") {
    const value = next === true;
    startTransition(async () => {
      setChecked(value);
      const result = await setRolePermissionAction({ roleId, permission, granted: value });
      if (result.ok) {
        toast.success(
          result.message ??
            (value ? `Granted ${permissionLabel} to ${roleName}` : `Revoked ${permissionLabel} from ${roleName}`),
        );
      } else {
        toast.error(result.error);
      }
    });
  }

  if (includedIn) {
    const reasonId = `included-${roleId}-${permission}`;
    return (
      <div className="flex flex-col items-center gap-1">
        <Checkbox checked disabled aria-label={`${roleName} — ${permissionLabel}`} aria-describedby={reasonId} />
        <span id={reasonId} className="text-muted-foreground text-xs">
          Included in {includedIn}
        </span>
      </div>
    );
  }

  return (
    <Checkbox
      checked={checked}
      onCheckedChange={toggle}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      aria-label={`${roleName} — ${permissionLabel}`}
      className={pending ? "animate-pulse" : undefined}
    />
  );
}

export function NewRoleDialog() {
  const [open, setOpen] = useState(false);
  const form = useZodForm(createRoleSchema, { defaultValues: { name: "", permissions: [] } });

  const onSubmit = form.handleSubmit(async (values) => {
    const result = await createRoleAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success(result.message ?? `Role ${values.name} created`);
    form.reset({ name: "", permissions: [] });
    setOpen(false);
  });

  function onOpenChange(next: boolean) {
    if (form.formState.isSubmitting) return;
    setOpen(next);
    if (!next) form.reset({ name: "", permissions: [] });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>
          <PlusIcon aria-hidden />
          New role
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New role</DialogTitle>
          <DialogDescription>
            A new role starts with no permissions; tick the ones it should hold in the matrix.
          </DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form onSubmit={onSubmit} noValidate className="grid gap-4">
            <TextField
              name="name"
              label="Name"
              placeholder="Support"
              description="For example Developer, Support or Read-only."
            />
            <FormDialogFooter pending={form.formState.isSubmitting} onCancel={() => onOpenChange(false)}>
              Create role
            </FormDialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}

export function DeleteRoleButton({
  roleId,
  roleName,
  memberCount,
}: {
  roleId: string;
  roleName: string;
  memberCount: number;
}) {
  const inUse = memberCount > 0;
  return (
    <ConfirmAction
      title={`Delete the ${roleName} role?`}
      description={
        inUse
          ? `${memberCount} ${memberCount === 1 ? "member holds" : "members hold"} this role. Give them another role on the Members page first.`
          : "Nobody holds this role. Deleting it cannot be undone."
      }
      confirmLabel="Delete role"
      confirmDisabled={inUse}
      successMessage={`Role ${roleName} deleted`}
      action={() => deleteRoleAction({ roleId })}
      triggerProps={{
        size: "icon-xs",
        "aria-label": `Delete role ${roleName}`,
        className: "text-muted-foreground hover:text-destructive",
      }}
    >
      <Trash2Icon aria-hidden />
    </ConfirmAction>
  );
}
