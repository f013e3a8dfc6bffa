"use client";

import { useRouter } from "next/navigation";
import { LogOutIcon } from "lucide-react";
import { toast } from "sonner";
import { changePasswordAction, signOutEverywhereAction } from "@/app/(app)/actions";
import { SubmitButton } from "@/components/app/submit-button";
import { ConfirmAction } from "@/components/app/confirm-action";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FieldList } from "@/components/auth/auth-forms";
import { Form } from "@/components/ui/form";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { changePasswordSchema } from "@/lib/validations/auth";

const FIELDS = [
  { name: "currentPassword", label: "Current password", type: "password", autoComplete: "current-password" },
  {
    name: "newPassword",
    label: "New password",
    type: "password",
    autoComplete: "new-password",
    description: "At least 10 characters, with letters and digits or symbols.",
  },
];

/** Change password (every other session ends; this one signs in again) and sign out everywhere. */
export function AccountSettings() {
  const router = useRouter();
  const form = useZodForm(changePasswordSchema, { defaultValues: { currentPassword: "", newPassword: "" } });
  const pending = form.formState.isSubmitting;
  const onSubmit = form.handleSubmit(async (values) => {
    const result = await changePasswordAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success(result.message ?? "Password changed");
    form.reset({ currentPassword: "", newPassword: "" });
    // The change ended the session this page was rendered under; the action signed this browser in
    // again, so render the page anew with the new session (the action's own re-render saw the old one).
    router.replace("/settings/account");
    router.refresh();
  });

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Password</CardTitle>
          <CardDescription>Changing it signs you out on every other device.</CardDescription>
        </CardHeader>
        <Form {...form}>
          <form onSubmit={onSubmit} noValidate aria-label="Change password">
            <fieldset disabled={pending}>
              <CardContent className="grid gap-4 sm:max-w-sm">
                <FieldList fields={FIELDS} />
              </CardContent>
              <CardFooter className="mt-6">
                <SubmitButton pending={pending}>Change password</SubmitButton>
              </CardFooter>
            </fieldset>
          </form>
        </Form>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Sessions</CardTitle>
          <CardDescription>
            Lost a laptop, or signed in on a shared computer? End every session of your account, this one included.
          </CardDescription>
        </CardHeader>
        <CardFooter>
          <ConfirmAction
            title="Sign out everywhere?"
            description="Every browser signed in to your account is signed out now, this one included. You can sign in again with your password."
            confirmLabel="Sign out everywhere"
            action={async () => {
              const result = await signOutEverywhereAction();
              if (result.ok) router.replace("/sign-in");
              return result;
            }}
            triggerProps={{ variant: "outline" }}
          >
            <LogOutIcon aria-hidden />
            Sign out everywhere
          </ConfirmAction>
        </CardFooter>
      </Card>
    </div>
  );
}
