"use client";

import Link from "next/link";
import { ExternalLinkIcon } from "lucide-react";
import { useWatch } from "react-hook-form";
import { SelectField, TextField } from "@/components/app/form-fields";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { FormItem, FormLabel } from "@/components/ui/form";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import type { SavedSecrets } from "@/lib/actions/webhook-reads";
import { useWebhookFormContext } from "./form-context";
import { Section } from "./section";

const SEND_IN = [
  ["header", "Header"],
  ["query", "Query"],
] as const;

/**
 * How the receiver knows the request is ours: none, basic, API key, bearer or an OAuth credential.
 * Editing, a saved secret left blank is kept while the kind of auth stays the one saved.
 */
export function AuthSection({
  editing,
  savedAuthType,
  savedSecrets,
  credentials,
}: {
  editing: boolean;
  savedAuthType: string | undefined;
  savedSecrets: SavedSecrets;
  credentials: { id: string; name: string }[];
}) {
  const form = useWebhookFormContext();
  const authType = useWatch({ control: form.control, name: "auth.type" }) ?? "none";
  const sameAuthAsSaved = savedAuthType === authType;
  const secretPlaceholder = (saved: boolean) =>
    editing && saved && sameAuthAsSaved ? "Saved — leave blank to keep" : "";

  function setAuthType(type: string) {
    const next =
      type === "basic"
        ? { type: "basic" as const, username: "", password: "" }
        : type === "api_key"
          ? { type: "api_key" as const, in: "header" as const, name: "X-Api-Key", value: "" }
          : type === "bearer"
            ? { type: "bearer" as const, token: "" }
            : type === "oauth"
              ? { type: "oauth" as const, credentialId: credentials[0]?.id ?? "" }
              : { type: "none" as const };
    form.setValue("auth", next, { shouldDirty: true });
    form.clearErrors("auth");
  }

  return (
    <Section
      id="auth"
      title="Authentication"
      description="How the receiver knows the request comes from you. Secrets are encrypted and never shown again."
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <FormItem>
          <FormLabel htmlFor="auth-type">Authentication type</FormLabel>
          <Select value={authType} onValueChange={setAuthType}>
            <SelectTrigger id="auth-type" className="w-full">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="none">None</SelectItem>
              <SelectItem value="basic">Basic (username and password)</SelectItem>
              <SelectItem value="api_key">API key</SelectItem>
              <SelectItem value="bearer">Bearer token</SelectItem>
              <SelectItem value="oauth">OAuth credential</SelectItem>
            </SelectContent>
          </Select>
        </FormItem>
      </div>
      {authType === "basic" ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField name="auth.username" label="Username" />
          <TextField
            name="auth.password"
            label="Password"
            type="password"
            autoComplete="new-password"
            placeholder={secretPlaceholder(savedSecrets.basic)}
          />
        </div>
      ) : null}
      {authType === "api_key" ? (
        <div className="grid gap-4 sm:grid-cols-[8rem_1fr_1fr]">
          <SelectField name="auth.in" label="Send in" options={SEND_IN} />
          <TextField name="auth.name" label="Key name" mono />
          <TextField
            name="auth.value"
            label="Key value"
            type="password"
            autoComplete="new-password"
            placeholder={secretPlaceholder(savedSecrets.apiKey)}
          />
        </div>
      ) : null}
      {authType === "bearer" ? (
        <TextField
          name="auth.token"
          label="Token"
          type="password"
          autoComplete="new-password"
          placeholder={secretPlaceholder(savedSecrets.bearer)}
          description="Sent as Authorization: Bearer …"
        />
      ) : null}
      {authType === "oauth" ? (
        credentials.length === 0 ? (
          <Alert>
            <AlertTitle>No OAuth credentials yet</AlertTitle>
            <AlertDescription>
              <p>
                <Link
                  href="/oauth"
                  target="_blank"
                  className="text-primary inline-flex items-center gap-1 font-medium underline-offset-4 hover:underline"
                >
                  Create one <ExternalLinkIcon className="size-3.5" aria-hidden />
                </Link>{" "}
                in a new tab, then come back and pick it here.
              </p>
            </AlertDescription>
          </Alert>
        ) : (
          <SelectField
            name="auth.credentialId"
            label="OAuth credential"
            labelAction={
              <Link
                href="/oauth"
                target="_blank"
                className="text-primary inline-flex items-center gap-1 text-sm underline-offset-4 hover:underline"
              >
                Create one <ExternalLinkIcon className="size-3.5" aria-hidden />
              </Link>
            }
            placeholder="Choose a credential"
            options={credentials.map((c) => [c.id, c.name] as const)}
            description="Hookrelay fetches the access token, caches it and refreshes it."
          />
        )
      ) : null}
    </Section>
  );
}
