import type { Webhook } from "@/db/schema";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { retypeMessage } from "@/lib/target-host";
import {
  isSecretConstant,
  isSecretHeader,
  storedWebhookSchema,
  type WebhookAuth,
  type WebhookConfig,
} from "@/lib/validations/webhook";

/**
 * A webhook's secrets, stored together as one encrypted blob (`auth_secrets_encrypted`): those of
 * the auth section, and the values of the custom headers and constant body parameters marked secret.
 */
export interface AuthSecrets {
  basicPassword?: string;
  apiKeyValue?: string;
  bearerToken?: string;
  /** Secret header values by header name, lower case (header names are not case-sensitive). */
  headers?: Record<string, string>;
  /** Secret constant parameter values by parameter name. */
  constants?: Record<string, string>;
}

/** The key a secret header's value is kept under. */
export function headerKey(name: string): string {
  return name.trim().toLowerCase();
}

type SecretRows = Pick<WebhookConfig, "headers" | "body">;

/** A map without its blank entries; undefined when nothing is left. */
function filled(map: Record<string, string>): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(map).filter(([, v]) => v));
  return Object.keys(out).length ? out : undefined;
}

/** The secrets that hold a value (an empty map or a blank value is no secret). */
function compact(secrets: AuthSecrets): AuthSecrets {
  const out: AuthSecrets = {};
  if (secrets.basicPassword) out.basicPassword = secrets.basicPassword;
  if (secrets.apiKeyValue) out.apiKeyValue = secrets.apiKeyValue;
  if (secrets.bearerToken) out.bearerToken = secrets.bearerToken;
  const headers = filled(secrets.headers ?? {});
  if (headers) out.headers = headers;
  const constants = filled(secrets.constants ?? {});
  if (constants) out.constants = constants;
  return out;
}

/**
 * Splits a validated config into what is stored in clear and the secrets that are encrypted. Header
 * and constant rows come out with an explicit `secret` flag, a secret one with a blank value.
 */
export function splitSecrets(config: WebhookConfig): { publicConfig: WebhookConfig; secrets: AuthSecrets } {
  const auth = config.auth;
  const secrets: AuthSecrets = { headers: {}, constants: {} };
  let publicAuth: WebhookAuth = auth;
  if (auth.type === "basic") {
    secrets.basicPassword = auth.password;
    publicAuth = { type: "basic", username: auth.username };
  } else if (auth.type === "api_key") {
    secrets.apiKeyValue = auth.value;
    publicAuth = { type: "api_key", in: auth.in, name: auth.name };
  } else if (auth.type === "bearer") {
    secrets.bearerToken = auth.token;
    publicAuth = { type: "bearer" };
  }
  const headers = config.headers.map((h) => {
    if (!isSecretHeader(h)) return { name: h.name, value: h.value, secret: false };
    if (h.value) secrets.headers![headerKey(h.name)] = h.value;
    return { name: h.name, value: "", secret: true };
  });
  let body = config.body;
  if (body.mode === "fields") {
    body = {
      ...body,
      constants: body.constants.map((c) => {
        if (!isSecretConstant(c)) return { name: c.name, value: c.value, secret: false };
        if (c.value) secrets.constants![c.name] = c.value;
        return { name: c.name, value: "", secret: true };
      }),
    };
  }
  return { publicConfig: { ...config, auth: publicAuth, headers, body }, secrets: compact(secrets) };
}

/** The encrypted blob of a webhook's secrets; null when it has none. */
export function sealSecrets(secrets: AuthSecrets): string | null {
  const held = compact(secrets);
  return Object.keys(held).length ? encryptSecret(JSON.stringify(held)) : null;
}

/**
 * A webhook's secrets. A row saved before headers and constants could be secret holds their values in
 * clear in its config (until the start-up step sealClearRowSecrets moves them): those whose name looks
 * like a credential count as secrets here too, so that they are used, and never shown, like the others.
 */
export function readAuthSecrets(row: Pick<Webhook, "authSecretsEncrypted" | "config">): AuthSecrets {
  const sealed: AuthSecrets = row.authSecretsEncrypted ? JSON.parse(decryptSecret(row.authSecretsEncrypted)) : {};
  const clear = splitSecrets(storedConfig(row)).secrets;
  return compact({
    ...sealed,
    headers: { ...clear.headers, ...sealed.headers },
    constants: { ...clear.constants, ...sealed.constants },
  });
}

/**
 * The stored config, parsed. A row saved before the secret switch existed with an empty value stays
 * plain: there is nothing to hide, and it is sent as it was (an empty header, an empty parameter).
 */
export function storedConfig(row: Pick<Webhook, "config">): WebhookConfig {
  const config = storedWebhookSchema.parse(row.config);
  const plainIfEmpty = <T extends { value: string; secret?: boolean }>(r: T): T =>
    r.secret === undefined && !r.value ? { ...r, secret: false } : r;
  const body =
    config.body.mode === "fields"
      ? { ...config.body, constants: config.body.constants.map(plainIfEmpty) }
      : config.body;
  return { ...config, headers: config.headers.map(plainIfEmpty), body };
}

/** One kind of secret row (headers, constants) as resolveRowSecrets walks it. */
interface RowKind {
  rows: { name: string; value: string; secret?: boolean }[];
  /** The rows' field path (`headers`, `body.constants`). */
  path: string;
  isSecret: (row: { name: string; value: string; secret?: boolean }) => boolean;
  /** The name a value is kept under, and when two rows are the same. */
  key: (name: string) => string;
  stored: Record<string, string> | undefined;
  /** How the messages name a row's value, and a repeated name. */
  valueLabel: (name: string) => string;
  repeated: (name: string, earlier: number) => string;
}

/**
 * The values of the secret header and constant rows: each one typed, else the one saved under its
 * name. The rows at fault come back as field errors: a secret name listed twice (a header's name in
 * any case), a secret with no value (to type again after a change of host), a secret switched off
 * with its value left blank (the saved value is never shown, so it must be typed to go in clear).
 */
export function resolveRowSecrets(
  config: SecretRows,
  stored: Pick<AuthSecrets, "headers" | "constants">,
  hostChange?: { from: string; to: string },
): { headers: Record<string, string>; constants: Record<string, string>; fieldErrors: Record<string, string[]> } {
  const fieldErrors: Record<string, string[]> = {};
  const fail = (path: string, message: string) => (fieldErrors[path] ??= []).push(message);
  const resolve = (kind: RowKind): Record<string, string> => {
    const values: Record<string, string> = {};
    const seen = new Map<string, { index: number; secret: boolean }>();
    kind.rows.forEach((row, i) => {
      const name = row.name.trim();
      const key = kind.key(name);
      const secret = kind.isSecret(row);
      const earlier = seen.get(key);
      if (earlier && (secret || earlier.secret)) fail(`${kind.path}.${i}.name`, kind.repeated(name, earlier.index + 1));
      if (!earlier) seen.set(key, { index: i, secret });
      const label = kind.valueLabel(name);
      if (!secret) {
        if (!row.value && kind.stored?.[key])
          fail(
            `${kind.path}.${i}.value`,
            `Type the ${label} to send it in clear: its saved secret value is never shown`,
          );
      } else if (row.value || kind.stored?.[key]) {
        values[key] = row.value || kind.stored![key];
      } else {
        fail(
          `${kind.path}.${i}.value`,
          hostChange ? retypeMessage(label, hostChange.from, hostChange.to) : `Enter the ${label}, or turn off Secret`,
        );
      }
    });
    return values;
  };
  const headers = resolve({
    rows: config.headers,
    path: "headers",
    isSecret: isSecretHeader,
    key: headerKey,
    stored: stored.headers,
    valueLabel: (name) => `value of header ${name}`,
    repeated: (name, earlier) =>
      `${name} is already header ${earlier} (header names are not case-sensitive): a secret header can be listed only once`,
  });
  const constants =
    config.body.mode !== "fields"
      ? {}
      : resolve({
          rows: config.body.constants,
          path: "body.constants",
          isSecret: isSecretConstant,
          key: (name) => name,
          stored: stored.constants,
          valueLabel: (name) => `value of ${name}`,
          repeated: (name, earlier) =>
            `${name} is already constant ${earlier}: a secret parameter can be listed only once`,
        });
  return { headers, constants, fieldErrors };
}
