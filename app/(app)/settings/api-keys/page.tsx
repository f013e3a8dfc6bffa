import type { Metadata } from "next";
import { KeyRoundIcon } from "lucide-react";
import { getDb } from "@/db";
import { listApiKeys } from "@/db/queries/companies";
import { EmptyState } from "@/components/app/empty-state";
import { Forbidden } from "@/components/app/forbidden";
import { CreateApiKeyButton, CreateApiKeyProvider, RevokeApiKeyButton } from "@/components/settings/api-keys";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { appUrl } from "@/lib/env";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format";
import { pageAccess } from "@/lib/session";

export const metadata: Metadata = { title: "API keys" };

/** Only the key's prefix and metadata reach the browser; the plaintext exists once, in the create dialog. */
export default async function ApiKeysPage() {
  const { actor, allowed } = await pageAccess("apiKeys.manage");
  if (!allowed) return <Forbidden permission="apiKeys.manage" area="API keys" />;

  const keys = await listApiKeys(getDb(), actor.companyId);
  const origin = appUrl();
  const now = Date.now();

  return (
    <CreateApiKeyProvider origin={origin}>
      <section aria-labelledby="api-keys-heading" className="space-y-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
          <div className="space-y-1">
            <h2 id="api-keys-heading" className="text-lg font-semibold">
              API keys
            </h2>
            <p className="text-muted-foreground text-sm">
              Keys let your other systems send events to Hookrelay and manage webhooks over the API.
            </p>
          </div>
          {/* In the empty state the call to action below is the only create button. */}
          {keys.length > 0 ? <CreateApiKeyButton /> : null}
        </div>

        {keys.length === 0 ? (
          <EmptyState
            icon={KeyRoundIcon}
            title="No API keys yet"
            description="Create a key for each system that talks to Hookrelay, so you can revoke one without disturbing the others."
            action={<CreateApiKeyButton />}
          />
        ) : (
          <div className="rounded-xl border">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Key</TableHead>
                  <TableHead>Created by</TableHead>
                  <TableHead>Created</TableHead>
                  <TableHead>Last used</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>
                    <span className="sr-only">Actions</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {keys.map((key) => (
                  <TableRow key={key.id} className={key.revokedAt ? "text-muted-foreground" : undefined}>
                    <TableCell className="font-medium">{key.name}</TableCell>
                    <TableCell>
                      <code className="font-mono text-xs">{key.prefix}…</code>
                    </TableCell>
                    <TableCell>{key.createdBy ?? "Deleted user"}</TableCell>
                    <TableCell>
                      <time dateTime={key.createdAt.toISOString()} title={formatDateTime(key.createdAt)}>
                        {formatDate(key.createdAt)}
                      </time>
                    </TableCell>
                    <TableCell>
                      {key.lastUsedAt ? (
                        <time dateTime={key.lastUsedAt.toISOString()} title={formatDateTime(key.lastUsedAt)}>
                          {formatRelative(key.lastUsedAt, now)}
                        </time>
                      ) : (
                        "Never"
                      )}
                    </TableCell>
                    <TableCell>
                      {key.revokedAt ? (
                        <Badge variant="secondary" title={`Revoked ${formatDateTime(key.revokedAt)}`}>
                          Revoked
                        </Badge>
                      ) : (
                        <Badge className="border-transparent bg-emerald-100 text-emerald-800 dark:bg-emerald-900/40 dark:text-emerald-300">
                          Active
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell className="text-right">
                      {key.revokedAt ? null : <RevokeApiKeyButton apiKeyId={key.id} name={key.name} />}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}

        <div className="bg-muted/40 space-y-2 rounded-xl border p-4">
          <h3 className="text-sm font-medium">Using a key</h3>
          <p className="text-muted-foreground text-sm">
            Send it as a bearer token. For example, to check that a key works:
          </p>
          <pre
            tabIndex={0}
            className="focus-visible:ring-ring/50 outline-none focus-visible:ring-[3px] bg-background overflow-x-auto rounded-md border px-3 py-2 font-mono text-xs"
          >
            <code>{`curl -H "Authorization: Bearer <key>" ${origin}/api/v1/company`}</code>
          </pre>
        </div>
      </section>
    </CreateApiKeyProvider>
  );
}
