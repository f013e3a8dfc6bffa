import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { findUserByEmail } from "@/db/queries/companies";
import { AcceptInvitationForm } from "@/components/auth/auth-forms";
import { Card, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { findOpenInvitation } from "@/lib/actions/account";

export const metadata: Metadata = { title: "Accept invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const db = getDb();
  const invitation = await findOpenInvitation(db, token);
  if (!invitation) {
    return (
      <Card>
        <CardHeader>
          <CardTitle className="text-xl">This invitation can&apos;t be used</CardTitle>
          <CardDescription>
            The link is invalid, was revoked, was already used or has expired. Ask the person who invited you for a new
            one.
          </CardDescription>
        </CardHeader>
        <CardFooter>
          <Button asChild variant="outline" className="w-full">
            <Link href="/sign-in">Go to sign in</Link>
          </Button>
        </CardFooter>
      </Card>
    );
  }
  const existing = await findUserByEmail(db, invitation.email);
  return (
    <AcceptInvitationForm
      token={token}
      email={invitation.email}
      companyName={invitation.companyName}
      roleName={invitation.roleName}
      existingAccount={Boolean(existing)}
    />
  );
}
