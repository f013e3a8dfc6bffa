"use server";

import { revalidatePath } from "next/cache";
import { updateCompanySettings } from "@/lib/actions/company";
import { runAction } from "@/lib/session";
import type { CompanySettingsInput } from "@/lib/validations/settings";

export async function updateCompanySettingsAction(input: CompanySettingsInput) {
  const r = await runAction(updateCompanySettings, input);
  // The company's name is shown in the app's layout, so every page is refreshed.
  if (r.ok) revalidatePath("/", "layout");
  return r;
}
