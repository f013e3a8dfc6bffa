"use client";

import { PlusIcon, TriangleAlertIcon } from "lucide-react";
import { createContext, useContext, useState, type ReactNode } from "react";
import { toast } from "sonner";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/(app)/settings/api-keys/actions";
import { FormDialogFooter } from "@/components/app/form-dialog-footer";
import { ConfirmAction } from "@/components/app/confirm-action";
import { CopyButton } from "@/components/app/copy-button";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { TextField } from "@/components/app/form-fields";
import { Form } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { applyServerErrors, useZodForm } from "@/lib/use-zod-form";
import { createApiKeySchema } from "@/lib/validations/settings";

const OpenCreateDialog = createContext<(() => void) | null>(null);

/**
 * Holds the "Create API key" dialog at a stable place in the tree, so that the dialog showing a
 * fresh key survives the page switching from its empty state to the table after the key is made.
 * Buttons anywhere below open it with `CreateApiKeyButton`.
 */
export function CreateApiKeyProvider({ origin, children }: { origin: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  // The plaintext key lives only in this state, and only until the dialog closes.
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const form = useZodForm(createApiKeySchema, { defaultValues: { name: "" } });

  const onSubmit = form.handleSubmit(async (values) => {
    const result = await createApiKeyAction(values);
    if (!result.ok) {
      if (!applyServerErrors(form, result)) toast.error(result.error);
      return;
    }
    toast.success(result.message ?? "API key created");
    setCreated({ name: values.name, key: result.data.key });
    form.reset({ name: "" });
  });

  function onOpenChange(next: boolean) {
    if (form.formState.isSubmitting) return;
    setOpen(next);
    if (!next) {
      setCreated(null);
      form.reset({ name: "" });
    }
  }

  return (
    <OpenCreateDialog.Provider value={() => onOpenChange(true)}>
      {children}
      <Dialog open={open} onOpenChange={onOpenChange}>
        <DialogContent className="sm:max-w-xl">
          {created ? (
            <>
              <DialogHeader>
                <DialogTitle>Copy your new key now</DialogTitle>
                <DialogDescription>
                  The key <strong className="text-foreground">{created.name}</strong> is ready. Use it as a bearer token
                  when calling Hookrelay&apos;s API.
                </DialogDescription>
              </DialogHeader>
              <Alert>
                <TriangleAlertIcon aria-hidden />
                <AlertTitle>It won&apos;t be shown again</AlertTitle>
                <AlertDescription>
                  Hookrelay stores only a fingerprint of the key. Copy it into your secret store before you close this
                  dialog.
                </AlertDescription>
              </Alert>
              <div className="grid gap-2">
                <Label htmlFor="new-api-key">API key</Label>
                <div className="flex gap-2">
                  <Input
                    id="new-api-key"
                    readOnly
                    value={created.key}
                    className="font-mono text-xs"
                    spellCheck={false}
                    autoComplete="off"
                    onFocus={(e) => e.currentTarget.select()}
                  />
                  <CopyButton value={created.key} />
                </div>
              </div>
              <div className="grid gap-1.5">
                <p className="text-muted-foreground text-xs">Try it:</p>
                <pre
                  tabIndex={0}
                  className="focus-visible:ring-ring/50 outline-none focus-visible:ring-[3px] bg-muted overflow-x-auto rounded-md px-3 py-2 font-mono text-xs"
                >
                  <code>{`curl -H "Authorization: Bearer ${created.key}" ${origin}/api/v1/company`}</code>
                </pre>
              </div>
              <DialogFooter>
                <Button type="button" onClick={() => onOpenChange(false)}>
                  Done
                </Button>
              </DialogFooter>
            </>
          ) : (
            <>
              <DialogHeader>
                <DialogTitle>Create API key</DialogTitle>
                <DialogDescription>
                  A key lets another system call Hookrelay&apos;s API on behalf of your company.
                </DialogDescription>
              </DialogHeader>
              <Form {...form}>
                <form onSubmit={onSubmit} noValidate className="grid gap-4">
                  <TextField
                    name="name"
                    label="Name"
                    placeholder="Billing system"
                    description="Say where the key will be used, so you know what breaks if you revoke it."
                  />
                  <FormDialogFooter pending={form.formState.isSubmitting} onCancel={() => onOpenChange(false)}>
                    Create key
                  </FormDialogFooter>
                </form>
              </Form>
            </>
          )}
        </DialogContent>
      </Dialog>
    </OpenCreateDialog.Provider>
  );
}

export function CreateApiKeyButton() {
  const open = useContext(OpenCreateDialog);
  return (
    <Button type="button" aria-haspopup="dialog" onClick={() => open?.()}>
      <PlusIcon aria-hidden />
      Create API key
    </Button>
  );
}

export function RevokeApiKeyButton({ apiKeyId, name }: { apiKeyId: string; name: string }) {
  return (
    <ConfirmAction
      title={`Revoke ${name}?`}
      description="Requests made with this key will be refused from now on. This cannot be undone: create a new key if you need one."
      confirmLabel="Revoke key"
      successMessage="API key revoked"
      action={() => revokeApiKeyAction({ apiKeyId })}
      triggerProps={{ "aria-label": `Revoke ${name}`, className: "text-destructive hover:text-destructive" }}
    >
      Revoke
    </ConfirmAction>
  );
}
