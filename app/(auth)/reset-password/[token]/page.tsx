import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { findOpenPasswordReset } from "@/db/queries/accounts";
import { ResetPasswordForm } from "@/components/auth/auth-forms";
import { Button } from "@/components/ui/button";
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { hashToken } from "@/lib/crypto";

export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const reset = await findOpenPasswordReset(getDb(), hashToken(token));
  if (!reset) {
    return (
      <Card>
        <CardHeader>
          <CardTitle className="text-xl">This reset link can&apos;t be used</CardTitle>
          <CardDescription>
            It is invalid, was used already or has expired (links work once, for one hour). Ask for a new one.
          </CardDescription>
        </CardHeader>
        <CardFooter className="flex flex-col gap-3">
          <Button asChild className="w-full">
            <Link href="/forgot-password">Send a new link</Link>
          </Button>
          <Button asChild variant="outline" className="w-full">
            <Link href="/sign-in">Go to sign in</Link>
          </Button>
        </CardFooter>
      </Card>
    );
  }
  return <ResetPasswordForm token={token} email={reset.email} />;
}
