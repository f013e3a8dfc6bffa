"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { changeMemberRole, inviteMember, removeMember, revokeInvitation } from "@/lib/actions/members";
import { runAction } from "@/lib/session";
import type {
  changeMemberRoleSchema,
  invitationIdSchema,
  InviteMemberInput,
  membershipIdSchema,
} from "@/lib/validations/settings";

export async function inviteMemberAction(input: InviteMemberInput) {
  const r = await runAction(inviteMember, input);
  if (r.ok) revalidatePath("/settings/members");
  return r;
}

export async function revokeInvitationAction(input: z.input<typeof invitationIdSchema>) {
  const r = await runAction(revokeInvitation, input);
  if (r.ok) revalidatePath("/settings/members");
  return r;
}

export async function changeMemberRoleAction(input: z.input<typeof changeMemberRoleSchema>) {
  const r = await runAction(changeMemberRole, input);
  if (r.ok) revalidatePath("/settings/members");
  return r;
}

export async function removeMemberAction(input: z.input<typeof membershipIdSchema>) {
  const r = await runAction(removeMember, input);
  if (r.ok) revalidatePath("/settings/members");
  return r;
}
