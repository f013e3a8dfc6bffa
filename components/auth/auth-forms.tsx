"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { useState } from "react";
import { MailCheckIcon } from "lucide-react";
import {
  acceptInvitationAction,
  forgotPasswordAction,
  resetPasswordAction,
  signInAction,
  signUpAction,
} from "@/app/(auth)/actions";
import { SubmitButton } from "@/components/app/submit-button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { TextField } from "@/components/app/text-field";
import { Form } from "@/components/ui/form";
import { Button } from "@/components/ui/button";
import { applyServerErrors, useLazyZodForm } from "@/lib/use-zod-form";

/** The forms' schemas (and zod with them) load when a form is first focused or submitted, not with the page. */
const schemas = () => import("@/lib/validations/auth");
const preloadSchemas = () => void schemas();

type Field = {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  description?: string;
  placeholder?: string;
};

// The account forms share one field list (inside their <Form>; their value types differ).
export function FieldList({ fields }: { fields: Field[] }) {
  return (
    <>
      {fields.map((f) => (
        <TextField
          key={f.name}
          name={f.name}
          label={f.label}
          type={f.type ?? "text"}
          autoComplete={f.autoComplete}
          placeholder={f.placeholder}
          description={f.description}
        />
      ))}
    </>
  );
}

export function SignInForm({ notice }: { notice?: string }) {
  const router = useRouter();
  const form = useLazyZodForm(() => schemas().then((m) => m.signInSchema), {
    defaultValues: { email: "", password: "" },
  });
  const onSubmit = form.handleSubmit(async (values) => {
    const result = await signInAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    router.replace("/dashboard");
    router.refresh();
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Sign in</CardTitle>
        <CardDescription>{notice ?? "Welcome back. Sign in to manage your webhooks."}</CardDescription>
      </CardHeader>
      <Form {...form}>
        <form onSubmit={onSubmit} onFocus={preloadSchemas} noValidate>
          <CardContent className="space-y-4">
            <FieldList
              fields={[
                { name: "email", label: "Email", type: "email", autoComplete: "email", placeholder: "you@company.com" },
                { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
              ]}
            />
          </CardContent>
          <CardFooter className="mt-6 flex flex-col gap-4">
            <SubmitButton pending={form.formState.isSubmitting} className="w-full">
              Sign in
            </SubmitButton>
            <Link
              href="/forgot-password"
              className="text-primary text-sm font-medium underline-offset-4 hover:underline"
            >
              Forgot password?
            </Link>
            <p className="text-muted-foreground text-sm">
              New to Hookrelay?{" "}
              <Link href="/sign-up" className="text-primary font-medium underline-offset-4 hover:underline">
                Create an account
              </Link>
            </p>
          </CardFooter>
        </form>
      </Form>
    </Card>
  );
}

export function SignUpForm() {
  const router = useRouter();
  const form = useLazyZodForm(() => schemas().then((m) => m.signUpSchema), {
    defaultValues: { name: "", email: "", password: "", companyName: "" },
  });
  const onSubmit = form.handleSubmit(async (values) => {
    const result = await signUpAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success("Welcome to Hookrelay");
    router.replace("/dashboard");
    router.refresh();
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Create your account</CardTitle>
        <CardDescription>Start sending your records to other systems in minutes.</CardDescription>
      </CardHeader>
      <Form {...form}>
        <form onSubmit={onSubmit} onFocus={preloadSchemas} noValidate>
          <CardContent className="space-y-4">
            <FieldList
              fields={[
                { name: "name", label: "Your name", autoComplete: "name" },
                { name: "email", label: "Email", type: "email", autoComplete: "email", placeholder: "you@company.com" },
                {
                  name: "password",
                  label: "Password",
                  type: "password",
                  autoComplete: "new-password",
                  description: "At least 10 characters, with letters and digits or symbols.",
                },
                { name: "companyName", label: "Company name", autoComplete: "organization" },
              ]}
            />
          </CardContent>
          <CardFooter className="mt-6 flex flex-col gap-4">
            <SubmitButton pending={form.formState.isSubmitting} className="w-full">
              Create account
            </SubmitButton>
            <p className="text-muted-foreground text-sm">
              Already have an account?{" "}
              <Link href="/sign-in" className="text-primary font-medium underline-offset-4 hover:underline">
                Sign in
              </Link>
            </p>
          </CardFooter>
        </form>
      </Form>
    </Card>
  );
}

export function AcceptInvitationForm({
  token,
  email,
  companyName,
  roleName,
  existingAccount,
}: {
  token: string;
  email: string;
  companyName: string;
  roleName: string;
  existingAccount: boolean;
}) {
  const router = useRouter();
  const form = useLazyZodForm(() => schemas().then((m) => m.acceptInvitationSchema), {
    defaultValues: { token, name: existingAccount ? "existing" : "", password: "" },
  });
  const onSubmit = form.handleSubmit(async (values) => {
    const result = await acceptInvitationAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success(`You joined ${companyName}`);
    router.replace("/dashboard");
    router.refresh();
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Join {companyName}</CardTitle>
        <CardDescription>
          You were invited as <strong>{roleName}</strong> with <strong>{email}</strong>.{" "}
          {existingAccount ? "Enter your current password to join." : "Choose your name and a password."}
        </CardDescription>
      </CardHeader>
      <Form {...form}>
        <form onSubmit={onSubmit} onFocus={preloadSchemas} noValidate>
          <CardContent className="space-y-4">
            <FieldList
              fields={
                existingAccount
                  ? [{ name: "password", label: "Password", type: "password", autoComplete: "current-password" }]
                  : [
                      { name: "name", label: "Your name", autoComplete: "name" },
                      {
                        name: "password",
                        label: "Password",
                        type: "password",
                        autoComplete: "new-password",
                        description: "At least 10 characters, with letters and digits or symbols.",
                      },
                    ]
              }
            />
          </CardContent>
          <CardFooter className="mt-6">
            <SubmitButton pending={form.formState.isSubmitting} className="w-full">
              Accept invitation
            </SubmitButton>
          </CardFooter>
        </form>
      </Form>
    </Card>
  );
}

/** "Forgot password?": the answer is the same whether or not the address has an account. */
export function ForgotPasswordForm() {
  const form = useLazyZodForm(() => schemas().then((m) => m.forgotPasswordSchema), { defaultValues: { email: "" } });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const onSubmit = form.handleSubmit(async (values) => {
    const result = await forgotPasswordAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    setSentTo(values.email);
  });
  if (sentTo) {
    return (
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2 text-xl">
            <MailCheckIcon className="text-primary size-5" aria-hidden />
            Check your email
          </CardTitle>
          <CardDescription role="status">
            If an account uses <strong>{sentTo}</strong>, a link to choose a new password is on its way. It works once,
            for one hour.
          </CardDescription>
        </CardHeader>
        <CardFooter className="flex flex-col gap-3">
          <Button asChild variant="outline" className="w-full">
            <Link href="/sign-in">Back to sign in</Link>
          </Button>
          <Button variant="link" size="sm" onClick={() => setSentTo(null)}>
            Use another address
          </Button>
        </CardFooter>
      </Card>
    );
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Forgot your password?</CardTitle>
        <CardDescription>
          Enter your account&apos;s email and we&apos;ll send you a link to choose a new one.
        </CardDescription>
      </CardHeader>
      <Form {...form}>
        <form onSubmit={onSubmit} onFocus={preloadSchemas} noValidate>
          <CardContent className="space-y-4">
            <FieldList
              fields={[
                { name: "email", label: "Email", type: "email", autoComplete: "email", placeholder: "you@company.com" },
              ]}
            />
          </CardContent>
          <CardFooter className="mt-6 flex flex-col gap-4">
            <SubmitButton pending={form.formState.isSubmitting} className="w-full">
              Send reset link
            </SubmitButton>
            <Link href="/sign-in" className="text-primary text-sm font-medium underline-offset-4 hover:underline">
              Back to sign in
            </Link>
          </CardFooter>
        </form>
      </Form>
    </Card>
  );
}

/** A new password from a reset link; every session of the account ends, and this browser signs in. */
export function ResetPasswordForm({ token, email }: { token: string; email: string }) {
  const router = useRouter();
  const form = useLazyZodForm(() => schemas().then((m) => m.resetPasswordSchema), {
    defaultValues: { token, password: "" },
  });
  const onSubmit = form.handleSubmit(async (values) => {
    const result = await resetPasswordAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success("Password changed: you are signed in, and signed out everywhere else");
    router.replace("/dashboard");
    router.refresh();
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-xl">Choose a new password</CardTitle>
        <CardDescription>
          For <strong>{email}</strong>. Every device signed in to this account will be signed out.
        </CardDescription>
      </CardHeader>
      <Form {...form}>
        <form onSubmit={onSubmit} onFocus={preloadSchemas} noValidate>
          <CardContent className="space-y-4">
            <FieldList
              fields={[
                {
                  name: "password",
                  label: "New password",
                  type: "password",
                  autoComplete: "new-password",
                  description: "At least 10 characters, with letters and digits or symbols.",
                },
              ]}
            />
          </CardContent>
          <CardFooter className="mt-6">
            <SubmitButton pending={form.formState.isSubmitting} className="w-full">
              Change password
            </SubmitButton>
          </CardFooter>
        </form>
      </Form>
    </Card>
  );
}
