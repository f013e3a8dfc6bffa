import { TriangleAlertIcon } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { PlanUsage } from "@/lib/plans";

const n = (v: number) => v.toLocaleString("en-US");
const limit = (v: number | null) => (v === null ? "unlimited" : n(v));

/** "1,200 of 25,000" with a bar; no bar for an unlimited figure. */
function Meter({ label, used, max }: { label: string; used: number; max: number | null }) {
  const share = max === null || max === 0 ? null : Math.min(1, used / max);
  return (
    <div className="space-y-1.5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 text-sm">
        <span className="font-medium">{label}</span>
        <span className="text-muted-foreground tabular-nums">
          {n(used)} of {limit(max)}
        </span>
      </div>
      {share !== null && (
        <div
          role="meter"
          aria-label={label}
          aria-valuemin={0}
          aria-valuemax={max!}
          aria-valuenow={used}
          className="bg-muted h-2 overflow-hidden rounded-full"
        >
          <div
            className={share >= 1 ? "bg-destructive h-full" : "bg-primary h-full"}
            style={{ width: `${Math.round(share * 100)}%` }}
          />
        </div>
      )}
    </div>
  );
}

/** On the Webhooks page when the company's plan has no webhooks: why nothing is sent. */
export function WebhooksOffNotice({ planName }: { planName: string }) {
  return (
    <Alert variant="destructive" className="mb-4">
      <TriangleAlertIcon aria-hidden />
      <AlertTitle>Your plan ({planName}) does not include webhooks</AlertTitle>
      <AlertDescription>
        Events are still recorded, but no request is sent: deliveries are skipped with this reason, and webhooks cannot
        be switched on. See Settings → Plan &amp; usage.
      </AlertDescription>
    </Alert>
  );
}

/**
 * Settings → Plan & usage: the plan the operator put the company on, its limits and today's use. Read-only for
 * everyone, owners included: only whoever runs Hookrelay changes a company's plan.
 */
export function PlanUsageView({ usage }: { usage: PlanUsage }) {
  const { plan } = usage;
  return (
    <div className="space-y-4">
      {!plan.webhooksEnabled && (
        <Alert variant="destructive">
          <TriangleAlertIcon aria-hidden />
          <AlertTitle>Webhooks are not included in your plan</AlertTitle>
          <AlertDescription>
            Events are still recorded (Events), but no request is sent: each delivery is recorded as skipped with this
            reason in the webhook&apos;s history, and webhooks cannot be switched on. Ask your provider for a plan with
            webhooks.
          </AlertDescription>
        </Alert>
      )}
      <Card>
        <CardHeader>
          <CardTitle className="flex flex-wrap items-center gap-2">
            Plan: {plan.name}
            {!plan.assigned && <Badge variant="secondary">default plan</Badge>}
          </CardTitle>
          <CardDescription>
            Set by whoever runs Hookrelay for your company; it cannot be changed here. Calls are the requests sent to
            receivers (retries and resends included; Test is not), counted per UTC day from 00:00.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
            <dt className="text-muted-foreground">Webhooks</dt>
            <dd>{plan.webhooksEnabled ? "Included" : "Not included"}</dd>
            <dt className="text-muted-foreground">Calls a day</dt>
            <dd>{limit(plan.callsPerDay)}</dd>
            <dt className="text-muted-foreground">Calls a day per user</dt>
            <dd>{limit(plan.callsPerUserPerDay)} (counted for the user who owns the webhook)</dd>
            <dt className="text-muted-foreground">Webhooks at most</dt>
            <dd>{limit(plan.maxWebhooks)}</dd>
          </dl>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Today ({usage.day}, UTC)</CardTitle>
          <CardDescription>
            Past a daily limit deliveries wait, queued, until the next day; the reason shows on each delivery.
            {usage.companyDailyCallLimit !== null &&
              ` The company's own daily call limit (Settings → Company) is ${n(usage.companyDailyCallLimit)}: the lower of it and the plan's applies.`}
          </CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          <Meter label="Calls today" used={usage.calls.today} max={usage.calls.limit} />
          <Meter label="Webhooks" used={usage.webhooks.count} max={usage.webhooks.limit} />
          <p className="text-muted-foreground text-sm">{n(usage.webhooks.active)} switched on.</p>
          {usage.users.length === 0 ? (
            <p className="text-muted-foreground text-sm">No calls yet today.</p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Webhook owner</TableHead>
                  <TableHead className="text-right">Calls today</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {usage.users.map((u) => (
                  <TableRow key={u.userId}>
                    <TableCell className="whitespace-normal">
                      <span className="font-medium">{u.name}</span>{" "}
                      <span className="text-muted-foreground wrap-anywhere">{u.email}</span>
                    </TableCell>
                    <TableCell className="text-right tabular-nums">
                      {n(u.calls)} of {limit(u.limit)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
