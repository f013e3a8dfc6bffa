"use server";

import { revalidatePath } from "next/cache";
import { sendTestEvent } from "@/lib/actions/events";
import { runAction } from "@/lib/session";
import type { TestEventInput } from "@/lib/validations/test-event";

/** Thin "use server" wrapper: the action parses, loads the membership and checks Manage Webhooks itself. */
export async function sendTestEventAction(input: TestEventInput) {
  const r = await runAction(sendTestEvent, input);
  if (r.ok) {
    revalidatePath("/events");
    revalidatePath("/dashboard");
  }
  return r;
}
