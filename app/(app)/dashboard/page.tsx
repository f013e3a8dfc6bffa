import type { Metadata } from "next";
import Link from "next/link";
import { ArrowRightIcon, CheckCircle2Icon, CircleIcon } from "lucide-react";
import { and, count, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { apiKeys, memberships, roles } from "@/db/schema";
import { PageHeader } from "@/components/app/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requireActor } from "@/lib/session";

export const metadata: Metadata = { title: "Dashboard" };

/** A getting-started checklist read from the company's real state. */
export default async function DashboardPage() {
  const actor = await requireActor();
  const db = getDb();
  const [[members], [keys], roleRows] = await Promise.all([
    db.select({ n: count() }).from(memberships).where(eq(memberships.companyId, actor.companyId)),
    db.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.companyId, actor.companyId), isNull(apiKeys.revokedAt))),
    db.select({ isOwner: roles.isOwner, permissions: roles.permissions }).from(roles).where(eq(roles.companyId, actor.companyId)),
  ]);
  const delegated = roleRows.some((r) => !r.isOwner && r.permissions.includes("webhooks.manage"));
  const steps = [
    { done: members.n > 1, title: "Invite your team", description: "Bring in the people who will configure webhooks.", href: "/settings/members" },
    { done: delegated, title: "Decide who manages webhooks", description: "Grant Manage Webhooks to the roles that need it.", href: "/settings/roles" },
    { done: keys.n > 0, title: "Create an API key", description: "Your business app posts its events to Hookrelay with it.", href: "/settings/api-keys" },
  ];
  return (
    <>
      <PageHeader title={`Welcome, ${actor.name.split(" ")[0]}`} description={`You are working in ${actor.companyName} as ${actor.role.name}.`} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Stat label="Members" value={members.n} />
        <Stat label="Active API keys" value={keys.n} />
        <Stat label="Roles" value={roleRows.length} />
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
                <Link href={step.href} className="hover:bg-muted/50 -mx-2 flex items-center gap-4 rounded-md px-2 py-3 outline-none focus-visible:ring-2 focus-visible:ring-ring">
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
    </>
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
