"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { resendEmail } from "@/lib/actions/company";
import { runAction } from "@/lib/session";
import type { notificationIdSchema } from "@/lib/validations/settings";

export async function resendEmailAction(input: z.input<typeof notificationIdSchema>) {
  const r = await runAction(resendEmail, input);
  if (r.ok) revalidatePath("/settings/outbox");
  return r;
}
