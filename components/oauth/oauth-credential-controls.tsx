"use client";

import { KeyRoundIcon, Trash2Icon } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { deleteOAuthCredentialAction, testOAuthCredentialAction } from "@/app/(app)/oauth/actions";
import { ConfirmAction } from "@/components/app/confirm-action";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { formatDateTime } from "@/lib/format";

/**
 * "Test token": fetches a new access token now. The toast says until when it is valid, or what the
 * token endpoint answered; the card re-renders with the new state (the action revalidates /oauth).
 */
export function TestTokenButton({ credentialId }: { credentialId: string }) {
  const [pending, startTransition] = useTransition();

  function test() {
    startTransition(async () => {
      const result = await testOAuthCredentialAction({ credentialId });
      if (!result.ok) {
        toast.error(result.error);
      } else if (result.data.ok) {
        toast.success(
          result.data.expiresAt
            ? `Token received, valid until ${formatDateTime(result.data.expiresAt)}`
            : "Token received",
        );
      } else {
        toast.error(result.data.error ?? "The token endpoint did not give a token");
      }
    });
  }

  return (
    <Button
      type="button"
      variant="outline"
      size="sm"
      onClick={test}
      disabled={pending}
      aria-busy={pending || undefined}
    >
      {pending ? <Spinner className="size-4" /> : <KeyRoundIcon aria-hidden />}
      Test token
    </Button>
  );
}

/** Asks first; refused (the dialog stays, the toast names them) while webhooks use the credential. */
export function DeleteOAuthCredentialButton({
  credentialId,
  name,
  usedBy,
}: {
  credentialId: string;
  name: string;
  usedBy: string[];
}) {
  return (
    <ConfirmAction
      title={`Delete ${name}?`}
      description={
        usedBy.length ? (
          <>
            It is used by {usedBy.length === 1 ? "the webhook" : `${usedBy.length} webhooks:`} {usedBy.join(", ")}.
            Choose another authentication for {usedBy.length === 1 ? "it" : "them"} first: a credential in use cannot be
            deleted.
          </>
        ) : (
          "No webhook uses it. Its parameters and any cached token are deleted; this cannot be undone."
        )
      }
      confirmLabel="Delete credential"
      action={() => deleteOAuthCredentialAction({ credentialId })}
      triggerProps={{ variant: "outline", className: "text-destructive hover:text-destructive" }}
    >
      <Trash2Icon aria-hidden />
      Delete
    </ConfirmAction>
  );
}
