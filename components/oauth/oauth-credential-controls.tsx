"use client";

import { KeyRoundIcon, PlugIcon, Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useTransition } from "react";
import { toast } from "sonner";
import {
  deleteOAuthCredentialAction,
  startOAuthConnectAction,
  testOAuthCredentialAction,
} from "@/app/(app)/oauth/actions";
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

/**
 * Asks first. While webhooks use the credential the dialog names them and its Delete stays disabled (the
 * server refuses it too).
 */
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
      confirmDisabled={usedBy.length > 0}
      action={() => deleteOAuthCredentialAction({ credentialId })}
      triggerProps={{ variant: "outline", className: "text-destructive hover:text-destructive" }}
    >
      <Trash2Icon aria-hidden />
      Delete
    </ConfirmAction>
  );
}

/**
 * Connect / Reconnect (authorization code): the server makes a one-time state and answers with the provider's
 * consent URL; the browser goes there and comes back to the credentials page with the outcome.
 */
export function ConnectButton({
  credentialId,
  connection,
}: {
  credentialId: string;
  connection: "connected" | "not_connected" | "reconnect_needed";
}) {
  const reconnect = connection !== "not_connected";
  const [pending, startTransition] = useTransition();

  function connect() {
    startTransition(async () => {
      const result = await startOAuthConnectAction({ credentialId });
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      window.location.assign(result.data.authorizeUrl);
    });
  }

  return (
    <Button
      type="button"
      size="sm"
      // The call to action while nothing works without it; a quiet control once connected.
      variant={connection === "connected" ? "outline" : "default"}
      onClick={connect}
      disabled={pending}
      aria-busy={pending || undefined}
    >
      {pending ? <Spinner className="size-4" /> : <PlugIcon aria-hidden />}
      {reconnect ? "Reconnect" : "Connect"}
    </Button>
  );
}

/** The outcome of a Connect, once, as a toast; the address loses its ?connect= so a reload does not repeat it. */
export function ConnectResultToast({ result }: { result: { ok: boolean; message: string } }) {
  const router = useRouter();
  const shown = useRef(false);
  useEffect(() => {
    if (shown.current) return;
    shown.current = true;
    if (result.ok) toast.success(result.message);
    else toast.error(result.message, { duration: 15_000 });
    router.replace("/oauth", { scroll: false });
  }, [result, router]);
  return null;
}
