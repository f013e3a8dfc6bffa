import { z } from "zod";
import { singleLine } from "./text";

/** Parameter names whose values are secrets by default (stored encrypted, never shown again). */
export const SECRET_PARAM_PATTERN = /secret|password|token|code|assertion|key/i;

export const oauthParameterSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Parameter name is required")
    .max(100)
    .refine((v) => !/[\s=&]/.test(v), "Parameter names cannot contain spaces, = or &"),
  /** Blank on a secret parameter when editing keeps the saved value. */
  value: z.string().max(4000).default(""),
  in: z.enum(["body", "query"]).default("body"),
  secret: z.boolean().optional(),
});
export type OAuthParameterInput = z.input<typeof oauthParameterSchema>;

const httpUrl = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .max(2000)
    .refine((v) => {
      if (v === "") return true; // required-ness is checked per grant type
      try {
        const u = new URL(v);
        return (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "Enter a valid http:// or https:// URL without a user name or password in it");

/**
 * Where the provider's authorization code goes. Seed 003's dialog lists `code: {{generated_code}}`: in an
 * authorization-code credential Hookrelay sends the code itself (and fills this placeholder in any extra parameter);
 * a custom-parameters credential has no code to fill, so the placeholder is refused there rather than sent literally.
 */
export const GENERATED_CODE = "{{generated_code}}";

/** What the authorization-code grant sends itself: an extra parameter may not name them. */
export const AUTHORIZATION_CODE_OWN_PARAMETERS = [
  "grant_type",
  "code",
  "redirect_uri",
  "code_verifier",
  "client_id",
  "client_secret",
  "refresh_token",
] as const;

const credentialFields = z.object({
  name: singleLine(z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(120), "Name"),
  /**
   * "custom": the token URL is called with the parameters below (client credentials, password …).
   * "authorization_code": someone clicks Connect and consents at the provider; Hookrelay exchanges the code.
   */
  grantType: z.enum(["custom", "authorization_code"]).default("custom"),
  tokenUrl: httpUrl("Token URL").pipe(z.string().min(1, "Token URL is required")),
  method: z.enum(["POST", "GET"]).default("POST"),
  /** Authorization code: the provider's consent page. */
  authorizeUrl: httpUrl("Authorize URL").default(""),
  /** Authorization code: the client id registered with the provider. */
  clientId: singleLine(z.string().trim().max(500), "Client ID").default(""),
  /** Authorization code: write-only, stored encrypted. Blank keeps the saved one (on the same token URL host). */
  clientSecret: z.string().max(4000).default(""),
  /** Authorization code: space- or comma-separated scopes to ask for. */
  scopes: singleLine(z.string().trim().max(2000), "Scopes").default(""),
  /** Authorization code: PKCE (S256). On unless the provider refuses it. */
  pkce: z.boolean().default(true),
  parameters: z
    .array(oauthParameterSchema)
    .max(30, "At most 30 parameters")
    .default([])
    .superRefine((params, ctx) => {
      const seen = new Set<string>();
      params.forEach((p, i) => {
        const key = `${p.in}:${p.name.trim()}`;
        if (seen.has(key))
          ctx.addIssue({ code: "custom", path: [i, "name"], message: `${p.name.trim()} is listed twice` });
        seen.add(key);
      });
    }),
});

type CredentialFields = z.output<typeof credentialFields>;

/** The rules that depend on the grant type (shared by create and update). */
function checkGrant(v: CredentialFields, ctx: z.RefinementCtx) {
  if (v.grantType === "authorization_code") {
    if (!v.authorizeUrl)
      ctx.addIssue({
        code: "custom",
        path: ["authorizeUrl"],
        message: "Authorize URL is required: the provider's consent page",
      });
    if (!v.clientId) ctx.addIssue({ code: "custom", path: ["clientId"], message: "Client ID is required" });
    v.parameters.forEach((p, i) => {
      const name = p.name.trim().toLowerCase();
      if ((AUTHORIZATION_CODE_OWN_PARAMETERS as readonly string[]).includes(name))
        ctx.addIssue({
          code: "custom",
          path: ["parameters", i, "name"],
          message:
            name === "code"
              ? `Hookrelay sends the authorization code (what ${GENERATED_CODE} stands for) as code itself: remove this row`
              : `Hookrelay sends ${name} itself in the authorization-code grant: remove this row`,
        });
    });
    return;
  }
  v.parameters.forEach((p, i) => {
    if (p.value.includes(GENERATED_CODE))
      ctx.addIssue({
        code: "custom",
        path: ["parameters", i, "value"],
        message: `${GENERATED_CODE} is the code your provider gives when someone consents: choose the Authorization code grant and click Connect, and Hookrelay exchanges the code itself`,
      });
    else if (p.name.trim() === "grant_type" && p.value.trim() === "authorization_code")
      ctx.addIssue({
        code: "custom",
        path: ["parameters", i, "value"],
        message:
          "The authorization_code grant needs someone's consent at the provider: choose the Authorization code grant and click Connect",
      });
  });
}

export const oauthCredentialSchema = credentialFields.superRefine(checkGrant);
export type OAuthCredentialInput = z.input<typeof oauthCredentialSchema>;
export type OAuthCredentialConfig = z.output<typeof oauthCredentialSchema>;

export const oauthCredentialIdSchema = z.object({ credentialId: z.uuid("Choose an OAuth credential") });
export const updateOAuthCredentialSchema = credentialFields
  .extend({ credentialId: z.uuid("Choose an OAuth credential") })
  .superRefine(checkGrant);

/** Scopes as OAuth sends them: one space between each, duplicates dropped. */
export function normalizeScopes(scopes: string): string {
  return [...new Set(scopes.split(/[\s,]+/).filter(Boolean))].join(" ");
}

/** Whether a parameter is kept secret: as the user chose, else by its name. */
export function isSecretParameter(p: { name: string; secret?: boolean }): boolean {
  return p.secret ?? SECRET_PARAM_PATTERN.test(p.name);
}
