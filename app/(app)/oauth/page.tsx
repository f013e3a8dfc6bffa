import type { Metadata } from "next";
import { KeyRoundIcon } from "lucide-react";
import { getDb } from "@/db";
import { listOAuthCredentials } from "@/db/queries/webhooks";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { PageHeader } from "@/components/app/page-header";
import { OAuthCredentialCard, type OAuthCredentialSummary } from "@/components/oauth/oauth-credential-card";
import { DeleteOAuthCredentialButton, TestTokenButton } from "@/components/oauth/oauth-credential-controls";
import {
  EditOAuthCredentialButton,
  NewOAuthCredentialButton,
  OAuthCredentialDialogProvider,
  type OAuthCredentialView,
} from "@/components/oauth/oauth-credential-dialog";
import { publicParameters } from "@/lib/actions/oauth-credentials";
import { can } from "@/lib/authz";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "OAuth credentials" };

/**
 * View Webhooks opens the page; Manage Webhooks adds the controls (the actions check it again).
 * Secret parameter values and tokens stay on the server: only `publicParameters` output and the
 * token's expiry reach the HTML and the client components.
 */
export default async function OAuthPage() {
  const { actor, allowed } = await pageAccess("webhooks.view");
  if (!allowed) return <Forbidden permission="webhooks.view" area="OAuth credentials" />;
  const canManage = can(actor, "webhooks.manage");

  const rows = await listOAuthCredentials(getDb(), actor.companyId);
  const credentials: OAuthCredentialSummary[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    tokenUrl: r.tokenUrl,
    method: r.method === "GET" ? "GET" : "POST",
    parameters: publicParameters(r.parameters),
    hasToken: r.hasToken,
    tokenExpiresAt: r.tokenExpiresAt,
    lastError: r.lastError,
    lastErrorAt: r.lastErrorAt,
    usedBy: r.usedBy,
  }));
  const now = Date.now();

  return (
    <OAuthCredentialDialogProvider>
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
              tokenUrl: c.tokenUrl,
              method: c.method,
              parameters: c.parameters,
            };
            return (
              <OAuthCredentialCard
                key={c.id}
                credential={c}
                now={now}
                actions={
                  canManage ? (
                    <>
                      <TestTokenButton credentialId={c.id} />
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
