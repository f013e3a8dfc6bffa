import { isSecretConstant, isSecretHeader, type WebhookFormValues } from "@/lib/validations/webhook";

/**
 * The form's values after a save: the secrets typed are saved now, so their inputs go back to
 * blank ("Saved — leave blank to keep"): the auth secret, and secret headers' and constants' values.
 */
export function blankSavedSecrets(values: WebhookFormValues): WebhookFormValues {
  return {
    ...values,
    auth: blankAuthSecret(values.auth),
    headers: blankRowSecrets(values.headers ?? [], isSecretHeader),
    body: blankBodySecrets(values.body),
  };
}

function blankAuthSecret(auth: WebhookFormValues["auth"]): WebhookFormValues["auth"] {
  if (!auth) return auth;
  if (auth.type === "basic") return { ...auth, password: "" };
  if (auth.type === "api_key") return { ...auth, value: "" };
  if (auth.type === "bearer") return { ...auth, token: "" };
  return auth;
}

/** Secret rows after a save: their values are saved, the inputs go blank. */
function blankRowSecrets<T extends { name?: string; value?: string; secret?: boolean }>(
  rows: T[],
  isSecret: (row: { name: string; value?: string; secret?: boolean }) => boolean,
): T[] {
  return rows.map((r) =>
    isSecret({ name: r.name ?? "", value: r.value, secret: r.secret }) ? { ...r, value: "", secret: true } : r,
  );
}

function blankBodySecrets(body: WebhookFormValues["body"]): WebhookFormValues["body"] {
  return body?.mode === "fields"
    ? { ...body, constants: blankRowSecrets(body.constants ?? [], isSecretConstant) }
    : body;
}
