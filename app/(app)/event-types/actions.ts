"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { createEventType, deleteEventType, deprecateEventType, updateEventType } from "@/lib/actions/event-types";
import { runAction } from "@/lib/session";
import type {
  deprecateEventTypeSchema,
  EventTypeInput,
  eventTypeNameSchema,
  updateEventTypeSchema,
} from "@/lib/validations/event-type";

/** Thin "use server" wrappers: each action parses, loads the membership and checks Manage Webhooks itself. */
function revalidate(ok: boolean) {
  if (!ok) return;
  revalidatePath("/event-types");
  // The webhook form and the test event dialog offer the company's types.
  revalidatePath("/webhooks", "layout");
  revalidatePath("/events");
}

export async function createEventTypeAction(input: EventTypeInput) {
  const r = await runAction(createEventType, input);
  revalidate(r.ok);
  return r;
}

export async function updateEventTypeAction(input: z.input<typeof updateEventTypeSchema>) {
  const r = await runAction(updateEventType, input);
  revalidate(r.ok);
  return r;
}

export async function deprecateEventTypeAction(input: z.input<typeof deprecateEventTypeSchema>) {
  const r = await runAction(deprecateEventType, input);
  revalidate(r.ok);
  return r;
}

export async function deleteEventTypeAction(input: z.input<typeof eventTypeNameSchema>) {
  const r = await runAction(deleteEventType, input);
  revalidate(r.ok);
  return r;
}
