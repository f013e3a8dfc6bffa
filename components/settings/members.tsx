"use client";

import { UserPlusIcon } from "lucide-react";
import { useOptimistic, useState, useTransition } from "react";
import { toast } from "sonner";
import {
  changeMemberRoleAction,
  inviteMemberAction,
  removeMemberAction,
  revokeInvitationAction,
} from "@/app/(app)/settings/members/actions";
import { FormDialogFooter } from "@/components/app/form-dialog-footer";
import { ConfirmAction } from "@/components/app/confirm-action";
import { CopyButton } from "@/components/app/copy-button";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/app/form-fields";
import { Form } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { inviteMemberSchema } from "@/lib/validations/settings";

export interface RoleOption {
  id: string;
  name: string;
  isOwner: boolean;
}

/** The role a new invitation starts with: "Member" when it exists, else the first non-owner role. */
function defaultRoleId(roles: RoleOption[]): string {
  return (
    (roles.find((r) => !r.isOwner && r.name.toLowerCase() === "member") ?? roles.find((r) => !r.isOwner) ?? roles[0])
      ?.id ?? ""
  );
}

export function InviteMemberDialog({ roles, actorIsOwner }: { roles: RoleOption[]; actorIsOwner: boolean }) {
  const [open, setOpen] = useState(false);
  const [sent, setSent] = useState<{ email: string; acceptUrl: string } | null>(null);
  const form = useZodForm(inviteMemberSchema, { defaultValues: { email: "", roleId: defaultRoleId(roles) } });

  const onSubmit = form.handleSubmit(async (values) => {
    const result = await inviteMemberAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success(result.message ?? `Invitation sent to ${values.email}`);
    setSent({ email: values.email, acceptUrl: result.data.acceptUrl });
    form.reset({ email: "", roleId: values.roleId });
  });

  function onOpenChange(next: boolean) {
    if (form.formState.isSubmitting) return;
    setOpen(next);
    if (!next) {
      setSent(null);
      form.reset({ email: "", roleId: defaultRoleId(roles) });
    }
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>
          <UserPlusIcon aria-hidden />
          Invite member
        </Button>
      </DialogTrigger>
      <DialogContent>
        {sent ? (
          <>
            <DialogHeader>
              <DialogTitle>Invitation sent</DialogTitle>
              <DialogDescription>
                We emailed an invitation to <strong className="text-foreground">{sent.email}</strong> (it is also kept
                in the email outbox). You can share this link with them directly; it works once and expires in 7 days.
              </DialogDescription>
            </DialogHeader>
            <div className="grid gap-2">
              <Label htmlFor="invitation-link">Invitation link</Label>
              <div className="flex gap-2">
                <Input
                  id="invitation-link"
                  readOnly
                  value={sent.acceptUrl}
                  className="font-mono text-xs"
                  onFocus={(e) => e.currentTarget.select()}
                />
                <CopyButton value={sent.acceptUrl} />
              </div>
            </div>
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => setSent(null)}>
                Invite another
              </Button>
              <Button type="button" onClick={() => onOpenChange(false)}>
                Done
              </Button>
            </DialogFooter>
          </>
        ) : (
          <>
            <DialogHeader>
              <DialogTitle>Invite member</DialogTitle>
              <DialogDescription>
                They get an email with a link to join your company with the role you choose.
              </DialogDescription>
            </DialogHeader>
            <Form {...form}>
              <form onSubmit={onSubmit} noValidate className="grid gap-4">
                <TextField name="email" label="Email" type="email" placeholder="colleague@company.com" />
                <SelectField
                  name="roleId"
                  label="Role"
                  placeholder="Choose a role"
                  options={roles.map((role) => [role.id, role.name, role.isOwner && !actorIsOwner] as const)}
                />
                <FormDialogFooter pending={form.formState.isSubmitting} onCancel={() => onOpenChange(false)}>
                  Send invitation
                </FormDialogFooter>
              </form>
            </Form>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}

/**
 * Changes a member's role right from the table. The new role shows at once (optimistic) and falls
 * back to the stored one if the server refuses.
 */
export function MemberRoleSelect({
  membershipId,
  memberName,
  roleId,
  roles,
  memberIsOwner,
  actorIsOwner,
}: {
  membershipId: string;
  memberName: string;
  roleId: string;
  roles: RoleOption[];
  memberIsOwner: boolean;
  actorIsOwner: boolean;
}) {
  const [pending, startTransition] = useTransition();
  const [shownRoleId, setShownRoleId] = useOptimistic(roleId);
  // Only an owner changes who is an owner; the server checks this too.
  const locked = memberIsOwner && !actorIsOwner;

  function change(next: string) {
    if (next === roleId) return;
    startTransition(async () => {
      setShownRoleId(next);
      const result = await changeMemberRoleAction({ membershipId, roleId: next });
      if (result.ok) toast.success(result.message ?? "Role changed");
      else toast.error(result.error);
    });
  }

  return (
    <Select value={shownRoleId} onValueChange={change} disabled={pending || locked}>
      {/* Named without the word "role" so the invite form's "Role" field stays the only match for that label. */}
      <SelectTrigger
        size="sm"
        className="min-w-32"
        aria-label={`Access for ${memberName}`}
        aria-busy={pending || undefined}
      >
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {roles.map((role) => (
          <SelectItem key={role.id} value={role.id} disabled={role.isOwner && !actorIsOwner}>
            {role.name}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}

export function RemoveMemberButton({
  membershipId,
  memberName,
  isYou,
  disabled,
}: {
  membershipId: string;
  memberName: string;
  isYou: boolean;
  disabled?: boolean;
}) {
  return (
    <ConfirmAction
      title={isYou ? "Leave this company?" : `Remove ${memberName}?`}
      description={
        isYou
          ? "You will lose access to this company's webhooks and settings right away."
          : `${memberName} will lose access to this company right away. You can invite them again later.`
      }
      confirmLabel={isYou ? "Leave" : "Remove member"}
      successMessage="Member removed"
      action={() => removeMemberAction({ membershipId })}
      triggerProps={{
        "aria-label": `Remove ${memberName}`,
        disabled,
        className: "text-destructive hover:text-destructive",
      }}
    >
      Remove
    </ConfirmAction>
  );
}

/**
 * `describedBy` points at the cell holding the email: the button's name stays "Revoke invitation"
 * so that the email's own cell is the only cell named by the address.
 */
export function RevokeInvitationButton({
  invitationId,
  email,
  describedBy,
}: {
  invitationId: string;
  email: string;
  describedBy?: string;
}) {
  return (
    <ConfirmAction
      title="Revoke this invitation?"
      description={`The link sent to ${email} will stop working. You can invite them again later.`}
      confirmLabel="Revoke invitation"
      successMessage="Invitation revoked"
      action={() => revokeInvitationAction({ invitationId })}
      triggerProps={{
        "aria-label": "Revoke invitation",
        "aria-describedby": describedBy,
        className: "text-destructive hover:text-destructive",
      }}
    >
      Revoke
    </ConfirmAction>
  );
}
