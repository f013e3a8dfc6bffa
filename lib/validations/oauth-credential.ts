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

export const oauthCredentialSchema = z.object({
  name: singleLine(z.string({ error: "Name is required" }).trim().min(1, "Name is required").max(120), "Name"),
  tokenUrl: z
    .string({ error: "Token URL is required" })
    .trim()
    .min(1, "Token URL is required")
    .max(2000)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "Enter a valid http:// or https:// URL without a user name or password in it"),
  method: z.enum(["POST", "GET"]).default("POST"),
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
export type OAuthCredentialInput = z.input<typeof oauthCredentialSchema>;
export type OAuthCredentialConfig = z.output<typeof oauthCredentialSchema>;

export const oauthCredentialIdSchema = z.object({ credentialId: z.uuid("Choose an OAuth credential") });
export const updateOAuthCredentialSchema = oauthCredentialSchema.extend({
  credentialId: z.uuid("Choose an OAuth credential"),
});

/** Whether a parameter is kept secret: as the user chose, else by its name. */
export function isSecretParameter(p: { name: string; secret?: boolean }): boolean {
  return p.secret ?? SECRET_PARAM_PATTERN.test(p.name);
}
