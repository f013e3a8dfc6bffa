"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { createRole, deleteRole, setRolePermission } from "@/lib/actions/roles";
import { runAction } from "@/lib/session";
import type { CreateRoleInput, roleIdSchema, setRolePermissionSchema } from "@/lib/validations/settings";

export async function createRoleAction(input: CreateRoleInput) {
  const r = await runAction(createRole, input);
  if (r.ok) revalidatePath("/settings/roles");
  return r;
}

export async function setRolePermissionAction(input: z.input<typeof setRolePermissionSchema>) {
  const r = await runAction(setRolePermission, input);
  if (r.ok) revalidatePath("/settings/roles");
  return r;
}

export async function deleteRoleAction(input: z.input<typeof roleIdSchema>) {
  const r = await runAction(deleteRole, input);
  if (r.ok) revalidatePath("/settings/roles");
  return r;
}
