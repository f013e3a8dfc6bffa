import type { Metadata } from "next";
import { KeyRoundIcon } from "lucide-react";
import { getDb } from "@/db";
import { listOAuthCredentials } from "@/db/queries/webhooks";
import { getOAuthAuthorizationResult } from "@/db/queries/oauth";
import { isUuid } from "@/db/keyset";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { OAuthCredentialCard, type OAuthCredentialSummary } from "@/components/oauth/oauth-credential-card";
import {
  ConnectButton,
  ConnectResultToast,
  DeleteOAuthCredentialButton,
  TestTokenButton,
} from "@/components/oauth/oauth-credential-controls";
import {
  EditOAuthCredentialButton,
  NewOAuthCredentialButton,
  OAuthCredentialDialogProvider,
  type OAuthCredentialView,
} from "@/components/oauth/oauth-credential-dialog";
import { publicParameters } from "@/lib/actions/oauth-credentials";
import { connectionState } from "@/lib/actions/webhook-reads";
import { can } from "@/lib/authz";
import { CONNECT_ERRORS, isConnectError, oauthRedirectUri } from "@/lib/oauth/connect";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "OAuth credentials" };

/**
 * View Webhooks opens the page; Manage Webhooks adds the controls (the actions check it again).
 * Secret parameter values and tokens stay on the server: only `publicParameters` output and the
 * token's expiry reach the HTML and the client components.
 */
type Search = { connect?: string; connect_error?: string };

/** What a Connect that came back through /api/oauth/callback ended with: this user's attempt only. */
async function connectResult(search: Search, userId: string) {
  if (isConnectError(search.connect_error)) return { ok: false, message: CONNECT_ERRORS[search.connect_error] };
  if (!search.connect || !isUuid(search.connect)) return null;
  const found = await getOAuthAuthorizationResult(getDb(), search.connect, userId);
  return found?.message ? { ok: found.result === "connected", message: found.message } : null;
}

export default async function OAuthPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="OAuth credentials" />;
  const canManage = can(actor, "webhooks.manage");

  const [rows, result] = await Promise.all([
    listOAuthCredentials(getDb(), actor.companyId),
    connectResult(await searchParams, actor.userId),
  ]);
  const credentials: OAuthCredentialSummary[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    grantType: r.grantType,
    tokenUrl: r.tokenUrl,
    method: r.method === "GET" ? "GET" : "POST",
    parameters: publicParameters(r.parameters),
    authorizeUrl: r.authorizeUrl ?? "",
    clientId: r.clientId ?? "",
    hasClientSecret: r.hasClientSecret,
    scopes: r.scopes,
    pkce: r.pkce,
    connection: connectionState(r),
    connectedAt: r.connectedAt,
    needsReconnectAt: r.needsReconnectAt,
    needsReconnectReason: r.needsReconnectReason,
    hasToken: r.hasToken,
    tokenExpiresAt: r.tokenExpiresAt,
    lastError: r.lastError,
    lastErrorAt: r.lastErrorAt,
    usedBy: r.usedBy,
  }));
  const now = Date.now();

  return (
    <OAuthCredentialDialogProvider redirectUri={oauthRedirectUri()}>
      {result ? <ConnectResultToast result={result} /> : null}
      <PageHeader
        title="OAuth credentials"
        description="Tokens Hookrelay fetches, caches and refreshes for webhooks whose receivers need OAuth."
        actions={canManage ? <NewOAuthCredentialButton /> : null}
      />
      {credentials.length === 0 ? (
        <EmptyState
          icon={KeyRoundIcon}
          title="No OAuth credentials yet"
          description={
            canManage
              ? "An OAuth credential holds a token URL and its parameters; webhooks that use it send a Bearer token."
              : "An OAuth credential holds a token URL and its parameters. Someone with the Manage Webhooks permission can add one."
          }
          action={canManage ? <NewOAuthCredentialButton /> : undefined}
        />
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          {credentials.map((c) => {
            const view: OAuthCredentialView = {
              id: c.id,
              name: c.name,
              grantType: c.grantType,
              tokenUrl: c.tokenUrl,
              method: c.method,
              parameters: c.parameters,
              authorizeUrl: c.authorizeUrl,
              clientId: c.clientId,
              hasClientSecret: c.hasClientSecret,
              scopes: c.scopes,
              pkce: c.pkce,
            };
            const authorizationCode = c.grantType === "authorization_code";
            return (
              <OAuthCredentialCard
                key={c.id}
                credential={c}
                now={now}
                actions={
                  canManage ? (
                    <>
                      {c.connection !== "not_applicable" ? (
                        <ConnectButton credentialId={c.id} connection={c.connection} />
                      ) : null}
                      {!authorizationCode || c.connection === "connected" ? (
                        <TestTokenButton credentialId={c.id} />
                      ) : null}
                      <EditOAuthCredentialButton credential={view} />
                      <DeleteOAuthCredentialButton
                        credentialId={c.id}
                        name={c.name}
                        usedBy={c.usedBy.map((w) => w.name)}
                      />
                    </>
                  ) : undefined
                }
              />
            );
          })}
        </div>
      )}
    </OAuthCredentialDialogProvider>
  );
}
