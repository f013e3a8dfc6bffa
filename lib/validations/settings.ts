import { z } from "zod";
import { ALL_PERMISSIONS, type Permission } from "@/lib/permissions";
import { emailSchema } from "./auth";

const id = (label: string) => z.uuid(`${label} is not valid`);

export const inviteMemberSchema = z.object({
  email: emailSchema,
  roleId: id("Role"),
});
export type InviteMemberInput = z.input<typeof inviteMemberSchema>;

export const invitationIdSchema = z.object({ invitationId: id("Invitation") });
export const membershipIdSchema = z.object({ membershipId: id("Member") });
export const changeMemberRoleSchema = z.object({ membershipId: id("Member"), roleId: id("Role") });

const permissionList = z
  .array(z.enum(ALL_PERMISSIONS as [Permission, ...Permission[]], { error: "Unknown permission" }))
  .max(ALL_PERMISSIONS.length);

export const createRoleSchema = z.object({
  name: z.string({ error: "Role name is required" }).trim().min(1, "Role name is required").max(50, "Use at most 50 characters"),
  permissions: permissionList.default([]),
});
export type CreateRoleInput = z.input<typeof createRoleSchema>;

export const setRolePermissionSchema = z.object({
  roleId: id("Role"),
  permission: z.enum(ALL_PERMISSIONS as [Permission, ...Permission[]], { error: "Unknown permission" }),
  granted: z.boolean(),
});
export const roleIdSchema = z.object({ roleId: id("Role") });

export const createApiKeySchema = z.object({
  name: z.string({ error: "Key name is required" }).trim().min(1, "Key name is required").max(60, "Use at most 60 characters"),
});
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;
export const apiKeyIdSchema = z.object({ apiKeyId: id("API key") });

export const switchCompanySchema = z.object({ companyId: id("Company") });
