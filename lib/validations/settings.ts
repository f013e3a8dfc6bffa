import { z } from "zod";
import { ALL_PERMISSIONS, type Permission } from "@/lib/permissions";
import { emailSchema } from "./auth";
import { singleLine } from "./text";

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
  name: singleLine(
    z
      .string({ error: "Role name is required" })
      .trim()
      .min(1, "Role name is required")
      .max(50, "Use at most 50 characters"),
    "Role name",
  ),
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
  name: singleLine(
    z
      .string({ error: "Key name is required" })
      .trim()
      .min(1, "Key name is required")
      .max(60, "Use at most 60 characters"),
    "Key name",
  ),
});
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;
export const apiKeyIdSchema = z.object({ apiKeyId: id("API key") });

export const switchCompanySchema = z.object({ companyId: id("Company") });

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Stored for "no daily call limit" (blank in the form): the column is NOT NULL, and no day reaches 2³¹ − 1 calls. */
export const UNLIMITED_DAILY_CALLS = 2_147_483_647;

const wholeNumber = (label: string, min: number, max: number, unit: string) => {
  const range = `${label} must be between ${min} and ${max.toLocaleString("en-US")} ${unit}`;
  return z
    .number({ error: `${label} is required` })
    .int(`${label} must be a whole number`)
    .min(min, range)
    .max(max, range);
};

/** The company settings page and `updateCompanySettings`: limits that apply to the whole company. */
export const companySettingsSchema = z.object({
  /** The company the form was loaded for: a save after switching company in another tab is refused. */
  companyId: id("Company"),
  name: singleLine(
    z
      .string({ error: "Company name is required" })
      .trim()
      .min(1, "Company name is required")
      .max(100, "Use at most 100 characters"),
    "Company name",
  ),
  retentionDays: wholeNumber("Retention", 1, 365, "days"),
  autoDisableAfterHours: wholeNumber("Auto-disable period", 1, 720, "hours"),
  /** Blank (null) means no limit. */
  dailyCallLimit: wholeNumber("Daily call limit", 1, 10_000_000, "calls")
    .nullish()
    .transform((v) => v ?? null),
  /** Comma-separated domains whose addresses may get failure emails as a record's owner; blank: the members' domains.
   * */
  notificationDomains: z
    .string()
    .max(1000, "Use at most 1,000 characters")
    .default("")
    .transform((v) =>
      [
        ...new Set(
          v
            .split(/[\s,]+/)
            .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
            .filter(Boolean),
        ),
      ].join(", "),
    )
    .refine(
      (v) => v === "" || v.split(", ").every((d) => DOMAIN.test(d)),
      "Notification domains: list domain names such as example.com, separated by commas",
    ),
});
export type CompanySettingsInput = z.input<typeof companySettingsSchema>;

export const notificationIdSchema = z.object({ notificationId: id("Email") });
