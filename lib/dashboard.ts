/**
 * The dashboard's periods and the shapes of what it shows: shared by db/queries/dashboard.ts (which
 * computes them) and components/dashboard (which draw them). Imports nothing (but a type).
 */
import type { Permission } from "./permissions";

/** The dashboard's windows: hourly buckets ending with the current (partial) hour. */
export const DASHBOARD_PERIODS = {
  "24h": { label: "Last 24 hours", hours: 24 },
  "7d": { label: "Last 7 days", hours: 7 * 24 },
} as const;
export type DashboardPeriod = keyof typeof DASHBOARD_PERIODS;

export function isDashboardPeriod(value: unknown): value is DashboardPeriod {
  return typeof value === "string" && Object.hasOwn(DASHBOARD_PERIODS, value);
}

export interface HourBucket {
  /** The hour's start, ISO 8601 UTC. */
  hour: string;
  success: number;
  failed: number;
  /** queued (not yet sent, or waiting for a retry) + dispatched (being sent). */
  pending: number;
  skipped: number;
}

export interface DeliveryTotals {
  total: number;
  success: number;
  failed: number;
  pending: number;
  skipped: number;
  /** success ÷ (success + failed): of the deliveries that finished; null when none has. */
  successRate: number | null;
}

export interface Latency {
  /** Milliseconds, rounded; null without a successful attempt in the window. */
  p50: number | null;
  p95: number | null;
  /** How many successful attempts the percentiles are taken over. */
  samples: number;
}

export interface FailingWebhook {
  webhookId: string;
  name: string;
  active: boolean;
  /** Attempts in the window that got no 2xx (an error status, a timeout, a refused connection …). */
  failedAttempts: number;
  /** Of those attempts' deliveries, how many have failed for good (retries spent). */
  failedDeliveries: number;
  lastFailureAt: Date;
}

/** The company's state the getting-started checklist is read from (gettingStartedState in db/queries/dashboard). */
export interface GettingStartedState {
  members: number;
  /** Active (not revoked) API keys. */
  keys: number;
  roles: number;
  /** Another member, or an invitation still open. */
  invited: boolean;
  /** Someone besides the owners manages webhooks: a member (or open invitation) whose role holds Manage Webhooks. */
  delegated: boolean;
  webhooks: number;
  /** The oldest webhook, for the steps that link to one. */
  firstWebhookId: string | null;
  /** A Test was sent (the audit log's webhook.tested). */
  tested: boolean;
  /** A webhook is switched on. */
  active: boolean;
  /** An event was delivered (a delivery with status success). */
  delivered: boolean;
}

export interface GettingStartedStep {
  key: "invite" | "delegate" | "apiKey" | "webhook" | "test" | "activate" | "deliver";
  title: string;
  description: string;
  href: string;
  done: boolean;
}

/** The permission a step needs: the viewer sees only steps they can act on. */
const STEP_PERMISSION: Record<GettingStartedStep["key"], Permission> = {
  invite: "members.manage",
  delegate: "roles.manage",
  apiKey: "apiKeys.manage",
  webhook: "webhooks.manage",
  test: "webhooks.manage",
  activate: "webhooks.manage",
  deliver: "webhooks.manage",
};

/**
 * The first run, in order: invite → grant Manage Webhooks → API key → a webhook → Test → switch it on → the
 * first event delivered. Only the steps `can` allows; each ticked when the company's data says it is done.
 */
export function gettingStartedSteps(
  state: GettingStartedState,
  can: (permission: Permission) => boolean,
): GettingStartedStep[] {
  const webhook = state.firstWebhookId ? `/webhooks/${state.firstWebhookId}` : "/webhooks/new";
  const steps: GettingStartedStep[] = [
    {
      key: "invite",
      title: "Invite your team",
      description: "Bring in the people who will configure webhooks.",
      href: "/settings/members",
      done: state.invited,
    },
    {
      key: "delegate",
      title: "Decide who manages webhooks",
      description: "Grant Manage Webhooks to the role of someone besides the owners.",
      href: "/settings/roles",
      done: state.delegated,
    },
    {
      key: "apiKey",
      title: "Create an API key",
      description: "Your business app posts its events to Hookrelay with it.",
      href: "/settings/api-keys",
      done: state.keys > 0,
    },
    {
      key: "webhook",
      title: "Create a webhook",
      description: "Pick the event that sends it and the URL it calls.",
      href: state.webhooks > 0 ? "/webhooks" : "/webhooks/new",
      done: state.webhooks > 0,
    },
    {
      key: "test",
      title: "Test it",
      description: "Send a sample record to the URL and see what comes back.",
      href: webhook,
      done: state.tested,
    },
    {
      key: "activate",
      title: "Switch it on",
      description: "From then on every matching event is sent.",
      href: "/webhooks",
      done: state.active,
    },
    {
      key: "deliver",
      title: "Deliver your first event",
      description: "Post an event with your API key, or send a test event.",
      href: "/events",
      done: state.delivered,
    },
  ];
  return steps.filter((s) => can(STEP_PERMISSION[s.key]));
}
