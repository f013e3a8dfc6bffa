import Link from "next/link";
import { BreakableUrl } from "@/components/app/breakable-url";
import type { ReactNode } from "react";
import {
  CircleCheckIcon,
  CircleDashedIcon,
  ClockAlertIcon,
  LockIcon,
  PlugZapIcon,
  TriangleAlertIcon,
} from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatRelative } from "@/lib/format";
import type { ConnectionState } from "@/lib/actions/webhook-reads";
import type { OAuthCredentialView } from "./oauth-credential-dialog";

/** A credential as the page shows it: public fields and parameters only, plus its token state (never the token). */
export interface OAuthCredentialSummary extends OAuthCredentialView {
  connection: ConnectionState;
  connectedAt: Date | null;
  needsReconnectReason: string | null;
  needsReconnectAt: Date | null;
  hasToken: boolean;
  tokenExpiresAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  usedBy: { id: string; name: string }[];
}

function Time({ value, now, relative = false }: { value: Date; now: number; relative?: boolean }) {
  return (
    <time dateTime={value.toISOString()} title={formatDateTime(value)}>
      {relative ? formatRelative(value, now) : formatDateTime(value)}
    </time>
  );
}

/**
 * An authorization-code credential's connection: the badge the webhooks using it show too, and what to do.
 * Null for custom parameters (Hookrelay fetches their tokens by itself).
 */
function ConnectionStatus({ credential: c, now }: { credential: OAuthCredentialSummary; now: number }) {
  if (c.connection === "reconnect_needed")
    return (
      <Alert variant="destructive">
        <PlugZapIcon aria-hidden />
        <AlertTitle>
          Reconnect needed
          {c.needsReconnectAt ? (
            <>
              {" "}
              since <Time value={c.needsReconnectAt} now={now} relative />
            </>
          ) : null}
        </AlertTitle>
        <AlertDescription className="break-words">
          <p>
            {c.needsReconnectReason ? `Because ${c.needsReconnectReason}. ` : null}Webhooks using it fail until someone
            with Manage Webhooks clicks Reconnect and allows access again.
          </p>
        </AlertDescription>
      </Alert>
    );
  if (c.connection === "not_connected")
    return (
      <p className="flex items-center gap-2 text-sm text-amber-700 dark:text-amber-400">
        <PlugZapIcon className="size-4" aria-hidden />
        <span>Not connected yet: click Connect to sign in at the provider and allow access</span>
      </p>
    );
  if (c.connection === "connected" && c.connectedAt)
    return (
      <p className="flex items-center gap-2 text-sm">
        <CircleCheckIcon className="size-4 text-emerald-600 dark:text-emerald-400" aria-hidden />
        <span>
          Connected <Time value={c.connectedAt} now={now} relative />
        </span>
      </p>
    );
  return null;
}

function TokenStatus({ credential: c, now }: { credential: OAuthCredentialSummary; now: number }) {
  if (c.connection === "not_connected" || c.connection === "reconnect_needed") return null;
  if (c.hasToken && c.tokenExpiresAt && c.tokenExpiresAt.getTime() > now) {
    return (
      <p className="flex items-center gap-2 text-sm">
        <CircleCheckIcon className="size-4 text-emerald-600 dark:text-emerald-400" aria-hidden />
        <span>
          Token valid until <Time value={c.tokenExpiresAt} now={now} />
        </span>
      </p>
    );
  }
  if (c.hasToken && c.tokenExpiresAt) {
    return (
      <p className="text-muted-foreground flex items-center gap-2 text-sm">
        <ClockAlertIcon className="size-4" aria-hidden />
        <span>
          Token expired <Time value={c.tokenExpiresAt} now={now} relative />; a new one is requested for the next
          delivery
        </span>
      </p>
    );
  }
  return (
    <p className="text-muted-foreground flex items-center gap-2 text-sm">
      <CircleDashedIcon className="size-4" aria-hidden />
      <span>No token yet</span>
    </p>
  );
}

function Parameters({ parameters }: { parameters: OAuthCredentialView["parameters"] }) {
  if (!parameters.length) return <p className="text-muted-foreground text-sm">No parameters.</p>;
  return (
    <dl className="grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
      {parameters.map((p, i) => (
        <div key={i} className="contents">
          <dt className="font-mono text-xs leading-5 break-all">
            {p.name}
            {p.in === "query" ? <span className="text-muted-foreground font-sans"> (query)</span> : null}
          </dt>
          <dd className="font-mono text-xs leading-5 break-all">
            {p.secret ? (
              <span className="text-muted-foreground inline-flex items-center gap-1">
                <LockIcon className="size-3" aria-hidden />
                {p.hasValue ? (
                  <>
                    <span aria-hidden>••••••</span>
                    <span className="sr-only">secret, hidden</span>
                  </>
                ) : (
                  <span className="font-sans">secret, not set</span>
                )}
              </span>
            ) : p.value ? (
              p.value
            ) : (
              <span className="text-muted-foreground font-sans">(empty)</span>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A credential's card; `actions` are its Connect / Test token / Edit / Delete controls when the viewer may manage. */
export function OAuthCredentialCard({
  credential: c,
  now,
  actions,
}: {
  credential: OAuthCredentialSummary;
  now: number;
  actions?: ReactNode;
}) {
  const headingId = `oauth-${c.id}`;
  return (
    <Card aria-labelledby={headingId} role="article" className="gap-4">
      <CardHeader className="max-sm:has-data-[slot=card-action]:grid-cols-1">
        <CardTitle className="flex flex-wrap items-center gap-2">
          <h2 id={headingId} className="text-base font-semibold break-words">
            {c.name}
          </h2>
          <Badge variant="secondary" className="font-mono">
            {c.method}
          </Badge>
          {c.grantType === "authorization_code" ? <Badge variant="outline">Authorization code</Badge> : null}
          {c.connection === "reconnect_needed" ? <Badge variant="destructive">Reconnect needed</Badge> : null}
        </CardTitle>
        <CardDescription className="font-mono text-xs">
          <BreakableUrl url={c.tokenUrl} />
        </CardDescription>
        {/* On a phone the buttons go under the name and URL, which keep the card's width. */}
        {actions ? (
          <CardAction className="flex flex-wrap gap-2 max-sm:col-start-1 max-sm:row-span-1 max-sm:row-start-3 max-sm:justify-self-start">
            {actions}
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent className="grid gap-4">
        <ConnectionStatus credential={c} now={now} />
        <TokenStatus credential={c} now={now} />
        {c.grantType === "authorization_code" ? (
          <dl className="grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
            <dt className="text-muted-foreground">Client ID</dt>
            <dd className="font-mono text-xs leading-5 break-all">{c.clientId}</dd>
            <dt className="text-muted-foreground">Scopes</dt>
            <dd className="font-mono text-xs leading-5 break-all">{c.scopes || "(none)"}</dd>
          </dl>
        ) : null}
        {c.lastError && c.connection !== "reconnect_needed" ? (
          <Alert variant="destructive">
            <TriangleAlertIcon aria-hidden />
            <AlertTitle>
              The token request failed
              {c.lastErrorAt ? (
                <>
                  {" "}
                  <Time value={c.lastErrorAt} now={now} relative />
                </>
              ) : null}
            </AlertTitle>
            <AlertDescription className="break-words">{c.lastError}</AlertDescription>
          </Alert>
        ) : null}
        {c.grantType === "authorization_code" && c.parameters.length === 0 ? null : (
          <section aria-label={`Parameters of ${c.name}`} className="grid gap-2">
            <h3 className="text-muted-foreground text-xs font-medium tracking-wide uppercase">
              {c.grantType === "authorization_code" ? "Extra token parameters" : "Parameters"}
            </h3>
            <Parameters parameters={c.parameters} />
          </section>
        )}
        <p className="text-sm">
          {c.usedBy.length === 0 ? (
            <span className="text-muted-foreground">Not used by any webhook</span>
          ) : (
            <>
              Used by {c.usedBy.length} {c.usedBy.length === 1 ? "webhook" : "webhooks"}:{" "}
              {c.usedBy.map((w, i) => (
                <span key={w.id}>
                  {i > 0 ? ", " : null}
                  <Link href={`/webhooks/${w.id}`} className="font-medium underline-offset-4 hover:underline">
                    {w.name}
                  </Link>
                </span>
              ))}
            </>
          )}
        </p>
      </CardContent>
    </Card>
  );
}
