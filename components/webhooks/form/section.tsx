import type { ReactNode } from "react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/** The webhook form's sections, in order: their ids are the side navigation's anchors. */
export const SECTIONS = [
  ["basics", "Basics"],
  ["trigger", "Trigger"],
  ["request", "Request"],
  ["auth", "Authentication"],
  ["body", "Body"],
  ["delivery", "Delivery"],
] as const;

/** One section of the webhook form: a card that is a named region (its title names it). */
export function Section({
  id,
  title,
  description,
  children,
  action,
}: {
  id: string;
  title: string;
  description: ReactNode;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <Card id={id} className="scroll-mt-20" aria-labelledby={`${id}-title`} role="region">
      <CardHeader className="flex flex-row items-start justify-between gap-4">
        <div className="space-y-1.5">
          <CardTitle id={`${id}-title`}>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </div>
        {action}
      </CardHeader>
      {/* Its fields never widen the card (a long event label or trigger mode truncates or wraps on a phone). */}
      <CardContent className="grid gap-5 *:min-w-0">{children}</CardContent>
    </Card>
  );
}
