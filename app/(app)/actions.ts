"use server";

import { cookies } from "next/headers";
import { switchCompany } from "@/lib/actions/account";
import { COMPANY_COOKIE, runAction } from "@/lib/session";

export async function switchCompanyAction(input: { companyId: string }) {
  const result = await runAction(switchCompany, input);
  if (result.ok) (await cookies()).set(COMPANY_COOKIE, result.data.companyId, { httpOnly: true, sameSite: "lax", path: "/" });
  return result;
}
