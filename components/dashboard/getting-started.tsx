import Link from "next/link";
import { ArrowRightIcon, CheckCircle2Icon, CircleIcon } from "lucide-react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { GettingStartedState, GettingStartedStep } from "@/lib/dashboard";

/**
 * The first run, read from the company's data (gettingStartedState in db/queries/dashboard): the steps the viewer can
 * act on (gettingStartedSteps in lib/dashboard), done ones ticked.
 */
export function GettingStarted({
  data,
  steps,
  className,
}: {
  data: GettingStartedState;
  steps: GettingStartedStep[];
  className?: string;
}) {
  const done = steps.filter((s) => s.done).length;
  return (
    <div className={className}>
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Members" value={data.members} />
        <Stat label="Active API keys" value={data.keys} />
        <Stat label="Webhooks" value={data.webhooks} />
      </div>
      {steps.length ? (
        <Card className="mt-6">
          <CardHeader>
            <CardTitle>Get started</CardTitle>
            <CardDescription>
              {done} of {steps.length} done — the steps before your records start flowing to other systems.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <ol className="divide-y" aria-label="Getting started steps">
              {steps.map((step) => (
                <li key={step.key} data-done={step.done || undefined}>
                  <Link
                    href={step.href}
                    className="hover:bg-muted/50 -mx-2 flex items-center gap-4 rounded-md px-2 py-3 outline-none focus-visible:ring-2 focus-visible:ring-ring"
                  >
                    {step.done ? (
                      <CheckCircle2Icon className="size-5 shrink-0 text-emerald-600" aria-hidden />
                    ) : (
                      <CircleIcon className="text-muted-foreground size-5 shrink-0" aria-hidden />
                    )}
                    <span className="flex-1">
                      <span className="block text-sm font-medium">
                        {step.title}
                        <span className="sr-only">{step.done ? " (done)" : " (to do)"}</span>
                      </span>
                      <span className="text-muted-foreground block text-sm">{step.description}</span>
                    </span>
                    <ArrowRightIcon className="text-muted-foreground size-4 shrink-0" aria-hidden />
                  </Link>
                </li>
              ))}
            </ol>
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <Card className="gap-2 py-5">
      <CardHeader>
        <CardDescription>{label}</CardDescription>
        <CardTitle className="text-3xl tabular-nums">{value}</CardTitle>
      </CardHeader>
    </Card>
  );
}
