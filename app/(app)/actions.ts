"use server";

import { cookies } from "next/headers";
import type { ActionResult } from "@/lib/action";
import { changePassword, signOutEverywhere, switchCompany } from "@/lib/actions/account";
import { signIn, signOut } from "@/lib/auth";
import { COMPANY_COOKIE, runAction } from "@/lib/session";
import type { ChangePasswordInput } from "@/lib/validations/auth";

export async function switchCompanyAction(input: { companyId: string }) {
  const result = await runAction(switchCompany, input);
  if (result.ok)
    (await cookies()).set(COMPANY_COOKIE, result.data.companyId, { httpOnly: true, sameSite: "lax", path: "/" });
  return result;
}

/** A password change ends every session; this browser signs in again with the new password. */
export async function changePasswordAction(input: ChangePasswordInput): Promise<ActionResult<null>> {
  const result = await runAction(changePassword, input);
  if (!result.ok) return result;
  await signIn("credentials", { email: result.data.email, password: input.newPassword, redirect: false });
  return { ok: true, data: null, message: result.message };
}

/** Ends every session of this user, this one included. */
export async function signOutEverywhereAction(): Promise<ActionResult<null>> {
  const result = await runAction(signOutEverywhere, {});
  if (!result.ok) return result;
  (await cookies()).delete(COMPANY_COOKIE);
  await signOut({ redirect: false });
  return result;
}
