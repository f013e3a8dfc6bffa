import Link from "next/link";
import { ArrowRightIcon, CheckCircle2Icon, CircleIcon } from "lucide-react";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { GettingStartedCounts } from "@/lib/dashboard";

/** The getting-started checklist, read from the company's real state (gettingStartedCounts in db/queries/dashboard). */
function gettingStartedSteps(counts: GettingStartedCounts) {
  return [
    {
      done: counts.members > 1,
      title: "Invite your team",
      description: "Bring in the people who will configure webhooks.",
      href: "/settings/members",
    },
    {
      done: counts.delegated,
      title: "Decide who manages webhooks",
      description: "Grant Manage Webhooks to the roles that need it.",
      href: "/settings/roles",
    },
    {
      done: counts.keys > 0,
      title: "Create an API key",
      description: "Your business app posts its events to Hookrelay with it.",
      href: "/settings/api-keys",
    },
  ];
}

export function isGettingStartedComplete(counts: GettingStartedCounts): boolean {
  return gettingStartedSteps(counts).every((s) => s.done);
}

export function GettingStarted({ data, className }: { data: GettingStartedCounts; className?: string }) {
  const steps = gettingStartedSteps(data);
  return (
    <div className={className}>
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Members" value={data.members} />
        <Stat label="Active API keys" value={data.keys} />
        <Stat label="Roles" value={data.roles} />
      </div>
      <Card className="mt-6">
        <CardHeader>
          <CardTitle>Get started</CardTitle>
          <CardDescription>Three steps before your records start flowing to other systems.</CardDescription>
        </CardHeader>
        <CardContent>
          <ol className="divide-y">
            {steps.map((step) => (
              <li key={step.title}>
                <Link
                  href={step.href}
                  className="hover:bg-muted/50 -mx-2 flex items-center gap-4 rounded-md px-2 py-3 outline-none focus-visible:ring-2 focus-visible:ring-ring"
                >
                  {step.done ? (
                    <CheckCircle2Icon className="size-5 text-emerald-600" aria-label="Done" />
                  ) : (
                    <CircleIcon className="text-muted-foreground size-5" aria-label="To do" />
                  )}
                  <span className="flex-1">
                    <span className="block text-sm font-medium">{step.title}</span>
                    <span className="text-muted-foreground block text-sm">{step.description}</span>
                  </span>
                  <ArrowRightIcon className="text-muted-foreground size-4" aria-hidden />
                </Link>
              </li>
            ))}
          </ol>
        </CardContent>
      </Card>
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
