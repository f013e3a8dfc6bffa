"use client";

import { LockIcon, PencilIcon, PlusIcon, Trash2Icon } from "lucide-react";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useFieldArray, useWatch, type Control, type UseFormReturn } from "react-hook-form";
import { toast } from "sonner";
import { createOAuthCredentialAction, updateOAuthCredentialAction } from "@/app/(app)/oauth/actions";
import { FormDialogFooter } from "@/components/app/form-dialog-footer";
import { CopyButton } from "@/components/app/copy-button";
import { SecretSwitch, SelectField, SwitchField, TextField } from "@/components/app/form-fields";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Form } from "@/components/ui/form";
import type { publicParameters } from "@/lib/actions/oauth-credentials";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import {
  AUTHORIZATION_CODE_OWN_PARAMETERS,
  GENERATED_CODE,
  isSecretParameter,
  oauthCredentialSchema,
  type OAuthCredentialConfig,
  type OAuthCredentialInput,
} from "@/lib/validations/oauth-credential";

/** What the browser gets of a credential: no secret value, only whether one is saved. */
export interface OAuthCredentialView {
  id: string;
  name: string;
  grantType: "custom" | "authorization_code";
  tokenUrl: string;
  method: "POST" | "GET";
  parameters: ReturnType<typeof publicParameters>;
  authorizeUrl: string;
  clientId: string;
  hasClientSecret: boolean;
  scopes: string;
  pkce: boolean;
}

type Editing = { mode: "new" } | { mode: "edit"; credential: OAuthCredentialView };

const MAX_PARAMETERS = 30;
const METHODS = [
  ["POST", "POST"],
  ["GET", "GET"],
] as const;
const SENT_IN = [
  ["body", "Body"],
  ["query", "Query"],
] as const;
const GRANT_TYPES = [
  ["custom", "Client credentials / custom parameters"],
  ["authorization_code", "Authorization code (Connect)"],
] as const;

/** A new credential starts as a client credentials grant (seed 003's parameters). */
const NEW_CREDENTIAL: OAuthCredentialInput = {
  name: "",
  grantType: "custom",
  tokenUrl: "",
  method: "POST",
  authorizeUrl: "",
  clientId: "",
  clientSecret: "",
  scopes: "",
  pkce: true,
  parameters: [
    { name: "client_id", value: "", in: "body" },
    { name: "client_secret", value: "", in: "body" },
    { name: "grant_type", value: "client_credentials", in: "body" },
  ],
};

function formValues(editing: Editing): OAuthCredentialInput {
  if (editing.mode === "new") return structuredClone(NEW_CREDENTIAL);
  const c = editing.credential;
  return {
    name: c.name,
    grantType: c.grantType,
    tokenUrl: c.tokenUrl,
    method: c.method,
    authorizeUrl: c.authorizeUrl,
    clientId: c.clientId,
    clientSecret: "",
    scopes: c.scopes,
    pkce: c.pkce,
    parameters: c.parameters.map((p) => ({ name: p.name, value: p.value, in: p.in, secret: p.secret })),
  };
}

type CredentialForm = UseFormReturn<OAuthCredentialInput, unknown, OAuthCredentialConfig>;

/**
 * Switching a credential to Authorization code: the client id and secret typed as parameters move to their own
 * fields, and the rows the grant sends itself (grant_type, code = {{generated_code}} …) are dropped — what seed 003's
 * dialog listed as parameters is what this grant fills in.
 */
function useMoveParametersToGrant(form: CredentialForm) {
  const grantType = useWatch({ control: form.control, name: "grantType" });
  const previous = useRef(grantType);
  useEffect(() => {
    const was = previous.current;
    previous.current = grantType;
    if (was === grantType || grantType !== "authorization_code") return;
    const rows = form.getValues("parameters") ?? [];
    const own = AUTHORIZATION_CODE_OWN_PARAMETERS as readonly string[];
    const valueOf = (name: string) => rows.find((p) => p.name.trim() === name)?.value?.trim() ?? "";
    if (!form.getValues("clientId") && valueOf("client_id")) form.setValue("clientId", valueOf("client_id"));
    if (!form.getValues("clientSecret") && valueOf("client_secret"))
      form.setValue("clientSecret", valueOf("client_secret"));
    form.setValue(
      "parameters",
      rows.filter((p) => !own.includes(p.name.trim().toLowerCase())),
    );
  }, [grantType, form]);
  return grantType ?? "custom";
}

/** The server keeps a blank secret when a saved one has the same name and place (see storeParameters). */
function savedSecretKey(p: { name?: string; in?: string }): string {
  return `${p.in ?? "body"}:${(p.name ?? "").trim()}`;
}

const OpenDialog = createContext<((editing: Editing) => void) | null>(null);

/**
 * One "New / Edit OAuth credential" dialog for the whole page, kept at a stable place in the tree
 * so it survives the page switching from its empty state to the list when the first credential is
 * saved. `NewOAuthCredentialButton` and `EditOAuthCredentialButton` open it.
 */
export function OAuthCredentialDialogProvider({ children, redirectUri }: { children: ReactNode; redirectUri: string }) {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<Editing>({ mode: "new" });
  const [savedSecrets, setSavedSecrets] = useState<Set<string>>(new Set());
  const form = useZodForm(oauthCredentialSchema, { defaultValues: formValues({ mode: "new" }) });
  const parameters = useFieldArray({ control: form.control, name: "parameters" });
  const grantType = useMoveParametersToGrant(form);
  const authorizationCode = grantType === "authorization_code";
  const savedClientSecret = editing.mode === "edit" && editing.credential.hasClientSecret;
  const rootError = form.formState.errors.parameters?.root?.message ?? form.formState.errors.parameters?.message;

  function show(next: Editing) {
    setEditing(next);
    setSavedSecrets(
      new Set(
        next.mode === "edit"
          ? next.credential.parameters.filter((p) => p.secret && p.hasValue).map(savedSecretKey)
          : [],
      ),
    );
    form.reset(formValues(next));
    setOpen(true);
  }

  function onOpenChange(next: boolean) {
    if (form.formState.isSubmitting) return;
    setOpen(next);
  }

  const onSubmit = form.handleSubmit(async (values) => {
    const result =
      editing.mode === "edit"
        ? await updateOAuthCredentialAction({ ...values, credentialId: editing.credential.id })
        : await createOAuthCredentialAction(values);
    if (!result.ok) {
      // The user's input stays as typed; the errors go next to their fields.
      if (applyServerErrors(form, result)) {
        const first = Object.keys(result.fieldErrors ?? {}).find((f) => f !== "_form");
        if (first) form.setFocus(first as never);
      } else {
        toast.error(result.error);
      }
      return;
    }
    toast.success(result.message ?? "OAuth credential saved");
    setOpen(false);
  });

  const title = editing.mode === "edit" ? "Edit OAuth credential" : "New OAuth credential";

  return (
    <OpenDialog.Provider value={show}>
      {children}
      <Dialog open={open} onOpenChange={onOpenChange}>
        <DialogContent className="max-h-[calc(100dvh-2rem)] overflow-y-auto sm:max-w-3xl">
          <DialogHeader>
            <DialogTitle>{title}</DialogTitle>
            <DialogDescription>
              Hookrelay gets an access token from the provider, keeps it until shortly before it expires and sends it as{" "}
              <code className="font-mono text-xs">Authorization: Bearer …</code> with the webhooks that use this
              credential.
            </DialogDescription>
          </DialogHeader>
          <Form {...form}>
            <form onSubmit={onSubmit} noValidate className="grid gap-5">
              <TextField name="name" label="Name" placeholder="Partner CRM" />
              <SelectField
                name="grantType"
                label="Grant type"
                fallback="custom"
                options={GRANT_TYPES}
                description={
                  authorizationCode
                    ? "Someone clicks Connect, signs in at the provider and allows access; Hookrelay exchanges the code for tokens and refreshes them."
                    : "Hookrelay calls the token URL with the parameters below, with no one signing in (client credentials, password …)."
                }
              />
              {authorizationCode ? (
                <TextField
                  name="authorizeUrl"
                  label="Authorize URL"
                  type="url"
                  inputMode="url"
                  spellCheck={false}
                  placeholder="https://auth.example.com/oauth/authorize"
                  description="The provider's consent page, where Connect sends you."
                />
              ) : null}
              <div className="grid gap-5 sm:grid-cols-[1fr_9rem]">
                <TextField
                  name="tokenUrl"
                  label="Token URL"
                  type="url"
                  inputMode="url"
                  spellCheck={false}
                  placeholder="https://auth.example.com/oauth/token"
                  description="The provider's token endpoint."
                />
                <SelectField name="method" label="Method" fallback="POST" options={METHODS} />
              </div>
              {authorizationCode ? (
                <>
                  <div className="grid gap-5 sm:grid-cols-2">
                    <TextField
                      name="clientId"
                      label="Client ID"
                      spellCheck={false}
                      autoComplete="off"
                      mono
                      description="From the app you registered with the provider."
                    />
                    <TextField
                      name="clientSecret"
                      label="Client secret"
                      type="password"
                      autoComplete="new-password"
                      spellCheck={false}
                      placeholder={
                        savedClientSecret ? "Saved — leave blank to keep" : "Leave blank for a public client"
                      }
                      description="Stored encrypted, never shown again."
                    />
                  </div>
                  <TextField
                    name="scopes"
                    label="Scopes"
                    spellCheck={false}
                    placeholder="contacts.read deals.write offline_access"
                    description="Separated by spaces or commas, as your provider names them."
                  />
                  <SwitchField
                    name="pkce"
                    label="PKCE (S256)"
                    description="Recommended: proves the code is exchanged by whoever asked for it. Switch off only if the provider refuses it."
                  />
                  <div className="grid gap-2">
                    <p className="text-sm leading-none font-medium" id="oauth-redirect-uri-label">
                      Redirect URI
                    </p>
                    <div className="flex items-center gap-2">
                      <code
                        className="bg-muted min-w-0 flex-1 rounded-md px-3 py-2 font-mono text-xs break-all"
                        aria-labelledby="oauth-redirect-uri-label"
                      >
                        {redirectUri}
                      </code>
                      <CopyButton value={redirectUri} label="Copy redirect URI" variant="outline" size="sm" />
                    </div>
                    <p className="text-muted-foreground text-sm">
                      Register this with your provider as the app&apos;s redirect (callback) URI. Hookrelay sends{" "}
                      <code className="font-mono text-xs">grant_type=authorization_code</code> and the code the provider
                      returns (<code className="font-mono text-xs">{GENERATED_CODE}</code>) itself.
                    </p>
                  </div>
                </>
              ) : null}

              <fieldset className="grid gap-3">
                <legend className="text-sm leading-none font-medium">
                  {authorizationCode ? "Extra token parameters" : "Parameters"}
                </legend>
                <p className="text-muted-foreground text-sm">
                  {authorizationCode ? (
                    <>
                      Optional, for providers that ask for more (such as{" "}
                      <code className="font-mono text-xs">audience</code>
                      ), sent with every token request. A value holding{" "}
                      <code className="font-mono text-xs">{GENERATED_CODE}</code> gets the authorization code and is
                      sent with the code exchange only.{" "}
                    </>
                  ) : (
                    <>
                      Sent in the request body (form-encoded; in the query string with GET) or the query string. For{" "}
                      <code className="font-mono text-xs">{GENERATED_CODE}</code> (a code from someone&apos;s consent),
                      choose the Authorization code grant.{" "}
                    </>
                  )}
                  Secret values are stored encrypted and never shown again.
                </p>
                {parameters.fields.length > 0 ? (
                  <div
                    className="text-muted-foreground hidden grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)_6.5rem_3.5rem_2.25rem] gap-2 text-xs font-medium sm:grid"
                    aria-hidden
                  >
                    <span>Key</span>
                    <span>Value</span>
                    <span>Sent in</span>
                    <span>Secret</span>
                    <span />
                  </div>
                ) : null}
                <ol className="grid gap-3 sm:gap-2">
                  {parameters.fields.map((row, index) => (
                    <ParameterRow
                      key={row.id}
                      control={form.control}
                      index={index}
                      savedSecrets={savedSecrets}
                      onRemove={() => parameters.remove(index)}
                    />
                  ))}
                </ol>
                {rootError ? <p className="text-destructive text-sm">{rootError}</p> : null}
                <div>
                  <Button
                    type="button"
                    variant="outline"
                    size="sm"
                    disabled={parameters.fields.length >= MAX_PARAMETERS}
                    onClick={() => parameters.append({ name: "", value: "", in: "body" })}
                  >
                    <PlusIcon aria-hidden />
                    Add parameter
                  </Button>
                </div>
              </fieldset>

              <FormDialogFooter pending={form.formState.isSubmitting} onCancel={() => onOpenChange(false)}>
                Save
              </FormDialogFooter>
            </form>
          </Form>
        </DialogContent>
      </Dialog>
    </OpenDialog.Provider>
  );
}

/**
 * One key/value row. Its inputs are labelled "Parameter N key/value", not "name", so that the
 * credential's "Name" field stays the only match for that label. Its secret switch follows the name (client_secret,
 * password …) until the user sets it. */
function ParameterRow({
  control,
  index,
  savedSecrets,
  onRemove,
}: {
  control: Control<OAuthCredentialInput, unknown, OAuthCredentialConfig>;
  index: number;
  savedSecrets: Set<string>;
  onRemove: () => void;
}) {
  const n = index + 1;
  const row = useWatch({ control, name: `parameters.${index}` });
  const secret = isSecretParameter({ name: row?.name ?? "", secret: row?.secret });
  const saved = secret && savedSecrets.has(savedSecretKey(row ?? {}));
  return (
    <li className="grid grid-cols-[minmax(0,1fr)_auto] items-start gap-2 rounded-md border p-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1.4fr)_6.5rem_3.5rem_2.25rem] sm:border-0 sm:p-0">
      <TextField
        name={`parameters.${index}.name`}
        aria-label={`Parameter ${n} key`}
        placeholder="key"
        spellCheck={false}
        inputClassName="font-mono text-xs"
        className="col-span-1 gap-1"
        messageClassName="text-xs"
      />
      <TextField
        name={`parameters.${index}.value`}
        aria-label={`Parameter ${n} value`}
        type={secret ? "password" : "text"}
        autoComplete={secret ? "new-password" : "off"}
        spellCheck={false}
        placeholder={saved ? "Saved — leave blank to keep" : secret ? "secret value" : "value"}
        leading={
          secret ? (
            <LockIcon
              className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2"
              aria-hidden
            />
          ) : null
        }
        inputClassName={secret ? "pl-7 font-mono text-xs" : "font-mono text-xs"}
        className="col-span-2 row-start-2 gap-1 sm:col-span-1 sm:row-start-auto"
        messageClassName="text-xs"
      />
      <SelectField
        name={`parameters.${index}.in`}
        aria-label={`Parameter ${n} sent in`}
        fallback="body"
        options={SENT_IN}
        className="col-span-1 row-start-3 gap-1 sm:row-start-auto"
        messageClassName="text-xs"
      />
      <SecretSwitch
        name={`parameters.${index}.secret`}
        checked={secret}
        label={`Parameter ${n} secret`}
        className="row-start-3 sm:row-start-auto"
        captionClassName="sm:hidden"
      />
      <Button
        type="button"
        variant="ghost"
        size="icon"
        className="text-muted-foreground hover:text-destructive col-start-2 row-start-1 sm:col-start-auto sm:row-start-auto"
        aria-label={`Remove parameter ${n}`}
        onClick={onRemove}
      >
        <Trash2Icon aria-hidden />
      </Button>
    </li>
  );
}

export function NewOAuthCredentialButton() {
  const open = useContext(OpenDialog);
  return (
    <Button type="button" aria-haspopup="dialog" onClick={() => open?.({ mode: "new" })}>
      <PlusIcon aria-hidden />
      New OAuth credential
    </Button>
  );
}

export function EditOAuthCredentialButton({ credential }: { credential: OAuthCredentialView }) {
  const open = useContext(OpenDialog);
  return (
    <Button
      type="button"
      variant="outline"
      size="sm"
      aria-haspopup="dialog"
      onClick={() => open?.({ mode: "edit", credential })}
    >
      <PencilIcon aria-hidden />
      Edit
    </Button>
  );
}
