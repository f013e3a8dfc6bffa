import Link from "next/link";
import { PlugZapIcon } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";

/** A webhook's OAuth credential that needs a person (authorization code): see db/queries/oauth.ts. */
export interface ReconnectState {
  credentialName: string;
  state: "reconnect_needed" | "not_connected";
}

const LABEL = { reconnect_needed: "Reconnect needed", not_connected: "OAuth not connected" } as const;

/** On the webhook listing: links to the OAuth credentials page, where Reconnect is. */
export function ReconnectBadge({ reconnect }: { reconnect: ReconnectState }) {
  return (
    <Link
      href="/oauth"
      className="mt-0.5 inline-flex"
      title={`Its OAuth credential ${reconnect.credentialName} must be ${reconnect.state === "reconnect_needed" ? "reconnected" : "connected"}; until then deliveries fail`}
    >
      <Badge variant={reconnect.state === "reconnect_needed" ? "destructive" : "outline"} className="gap-1">
        <PlugZapIcon aria-hidden />
        {LABEL[reconnect.state]}
      </Badge>
    </Link>
  );
}

/** On a webhook's page: what is wrong and where to fix it. */
export function ReconnectAlert({ reconnect }: { reconnect: ReconnectState }) {
  return (
    <Alert variant="destructive" className="mb-4">
      <PlugZapIcon aria-hidden />
      <AlertTitle>{LABEL[reconnect.state]}</AlertTitle>
      <AlertDescription>
        <p>
          This webhook signs in with the OAuth credential {reconnect.credentialName}, which{" "}
          {reconnect.state === "reconnect_needed"
            ? "must be reconnected: the provider no longer accepts its authorization"
            : "has not been connected yet"}
          . Its deliveries fail until someone with Manage Webhooks clicks{" "}
          {reconnect.state === "reconnect_needed" ? "Reconnect" : "Connect"} on the{" "}
          <Link href="/oauth" className="font-medium underline underline-offset-4">
            OAuth credentials page
          </Link>
          ; then resend them from the history.
        </p>
      </AlertDescription>
    </Alert>
  );
}
