import { uuidV7 } from "@/db/partitions";
import type { DbOrTx } from "@/db";
import { existingWebhookNames, insertDeliveryHistory, type SeededDelivery } from "@/db/queries/seed-history";
import { updateWebhookRow } from "@/db/queries/webhooks";
import { buildRequest, type DeliveryEvent } from "@/lib/delivery/build-request";
import { getEventType } from "@/lib/events/catalog";
import { webhookSchema, type WebhookInput } from "@/lib/validations/webhook";
import { insertWebhook } from "@/lib/webhooks";

/**
 * The demo company's webhooks and their history (`npm run seed`, through db/seed.ts's seedWebhooks
 * hook), so a first look at the pages is not empty: successes, a success after a retry, a delivery
 * that failed for good after its retries, and one waiting for its next retry.
 *
 * Every URL is on `.invalid`, a name that never resolves (RFC 6761): nothing here was really sent,
 * and nothing ever can be — a Resync or an event posted later fails with a DNS error. The requests
 * in the history are built by the real request builder (masked as the pipeline logs them); the
 * answers are made up. No pg-boss job is queued: the delivery "waiting for its next retry" shows its
 * next attempt but no worker ever makes it (Resync does, and it fails as said).
 */

type Answer =
  | { status: number; ms: number; body: string; headers?: Record<string, string> }
  | { error: "timeout" | "connection_refused"; message: string; ms: number };

interface DemoDelivery {
  /** When the event happened, in minutes before the seed. */
  minutesAgo: number;
  /** Changes to the event type's sample record (a different id, name …). */
  data: Record<string, unknown>;
  /** Each attempt: minutes after the event, and the made-up answer. */
  attempts: { after: number; answer: Answer }[];
  /** A retry still to come, in minutes after the seed. */
  nextInMinutes?: number;
}

interface DemoWebhook {
  input: WebhookInput;
  secretHeaders?: Record<string, string>;
  deliveries: DemoDelivery[];
}

const DEMO_NOTE =
  "Seeded by npm run seed: its .invalid address never resolves, so nothing is really sent. Point it at your receiver to use it.";
const JSON_OK = '{"received":true}';

/** The demo webhooks, in the order they are created. Their names are how a second seed finds them. */
export const DEMO_WEBHOOKS: DemoWebhook[] = [
  {
    input: {
      name: "Won deals → invoicing",
      description: DEMO_NOTE,
      active: true,
      eventTypes: ["deal.updated"],
      conditions: { match: "all", rules: [{ field: "stage", operator: "changed_to", value: "Won" }] },
      method: "POST",
      url: "https://billing.example.invalid/hooks/deals/{{data.id}}",
      headers: [{ name: "X-Api-Token", value: "demo-token-not-a-real-one", secret: true }],
      body: { mode: "raw", encoding: "json" },
      retryPolicy: { type: "preset", preset: "freshsales" },
    },
    secretHeaders: { "x-api-token": "demo-token-not-a-real-one" },
    deliveries: [
      { minutesAgo: 20 * 60, data: { id: "d_5520", name: "Difference engine — support" }, attempts: [ok(184)] },
      { minutesAgo: 9 * 60 + 12, data: { id: "d_5527", amount: 12500 }, attempts: [ok(231)] },
      { minutesAgo: 95, data: {}, attempts: [ok(162)] },
    ],
  },
  {
    input: {
      name: "New leads → marketing (LeadSquared)",
      description: DEMO_NOTE,
      active: true,
      eventTypes: ["lead.created"],
      method: "POST",
      url: "https://marketing.example.invalid/leadsquared/leads",
      includeEntityParams: true,
      eventNaming: "leadsquared",
      body: { mode: "raw", encoding: "json" },
      retryPolicy: { type: "preset", preset: "leadsquared" },
    },
    deliveries: [
      {
        minutesAgo: 14 * 60,
        data: { id: "l_2071", first_name: "Mary", last_name: "Somerville", email: "mary@example.com" },
        attempts: [
          {
            after: 0,
            answer: {
              status: 503,
              ms: 48,
              body: '{"error":"Service Unavailable","retry":true}',
              headers: { "retry-after": "60" },
            },
          },
          { after: 1, answer: { status: 200, ms: 143, body: JSON_OK } },
        ],
      },
      { minutesAgo: 6 * 60, data: {}, attempts: [ok(127)] },
    ],
  },
  {
    input: {
      name: "New contacts → ERP (XML extended)",
      description: DEMO_NOTE,
      active: true,
      eventTypes: ["contact.created"],
      method: "POST",
      url: "https://erp.example.invalid/api/contacts",
      body: {
        mode: "fields",
        encoding: "xml_extended",
        fields: [
          { path: "id", as: "crm_id" },
          { path: "first_name" },
          { path: "last_name" },
          { path: "email" },
          { path: "owner.email", as: "owner_email" },
          { path: "created_at" },
        ],
        constants: [{ name: "source", value: "hookrelay", secret: false }],
      },
      retryPolicy: { type: "preset", preset: "vtiger" },
    },
    deliveries: [
      { minutesAgo: 18 * 60, data: {}, attempts: [ok(312)] },
      {
        // Failed for good: the first try and Vtiger's three retries (1 h, 2 h, 4 h later).
        minutesAgo: 16 * 60,
        data: { id: "c_1047", first_name: "Emmy", last_name: "Noether", email: "emmy@example.com" },
        attempts: [
          { after: 0, answer: serverError(500, 88) },
          { after: 60, answer: { error: "timeout", message: "The request timed out", ms: 15_000 } },
          { after: 180, answer: { error: "connection_refused", message: "connect ECONNREFUSED", ms: 12 } },
          { after: 420, answer: serverError(500, 95) },
        ],
      },
      {
        // Waiting for its first retry (an hour after the try that failed).
        minutesAgo: 25,
        data: { id: "c_1049", first_name: "Hedy", last_name: "Lamarr", email: "hedy@example.com" },
        attempts: [{ after: 0, answer: { status: 502, ms: 61, body: "<html><body>502 Bad Gateway</body></html>" } }],
        nextInMinutes: 35,
      },
    ],
  },
];

function ok(ms: number) {
  return { after: 0, answer: { status: 200, ms, body: JSON_OK } };
}

function serverError(status: number, ms: number): Answer {
  return { status, ms, body: '{"error":"Internal Server Error"}' };
}

const minutes = (n: number) => n * 60_000;

/** The rows of one demo delivery: its event, the delivery, each attempt's request (built, masked) and answer. */
function historyRows(
  companyId: string,
  webhook: { id: string; signingSecret: string },
  demo: DemoWebhook,
  d: DemoDelivery,
  index: number,
  now: Date,
): SeededDelivery {
  const config = webhookSchema.parse(demo.input);
  const type = config.eventTypes[0];
  const sample = getEventType(type)!.sample;
  const occurredAt = new Date(now.getTime() - minutes(d.minutesAgo));
  const event: DeliveryEvent = {
    id: `demo_${type.replace(".", "_")}_${webhook.id.slice(0, 8)}_${index + 1}`,
    type,
    occurredAt: occurredAt.toISOString(),
    data: { ...sample.data, ...d.data },
    previous: sample.previous ?? null,
  };
  // Ids carrying their rows' created_at (db/partitions.ts): the history is partitioned by day.
  const eventId = uuidV7(occurredAt);
  const deliveryId = uuidV7(occurredAt);
  const attempts = d.attempts.map(({ after, answer }, i) => {
    const at = new Date(occurredAt.getTime() + minutes(after) + 1_000);
    const built = buildRequest(config, event, {
      deliveryId,
      timestamp: at,
      signingSecrets: [webhook.signingSecret],
      secrets: { headers: demo.secretHeaders },
      webhookId: webhook.id,
    });
    const answered = "status" in answer;
    return {
      deliveryId,
      deliveryCreatedAt: occurredAt,
      companyId,
      webhookId: webhook.id,
      attemptNumber: i + 1,
      trigger: "auto",
      requestMethod: built.method,
      requestUrl: built.maskedUrl,
      requestHeaders: built.maskedHeaders,
      requestBody: built.maskedBody,
      responseStatus: answered ? answer.status : null,
      responseHeaders: answered
        ? { "content-type": answer.body.startsWith("<") ? "text/html" : "application/json", ...answer.headers }
        : null,
      responseBody: answered ? answer.body : null,
      durationMs: answer.ms,
      errorKind: answered ? (answer.status < 300 ? null : "http_status") : answer.error,
      errorMessage: answered
        ? answer.status < 300
          ? null
          : `The receiver answered HTTP ${answer.status}`
        : answer.message,
      createdAt: new Date(at.getTime() + answer.ms),
    };
  });
  const last = attempts[attempts.length - 1];
  const succeeded = last.errorKind === null;
  const status = succeeded ? "success" : d.nextInMinutes !== undefined ? "queued" : "failed";
  return {
    event: {
      id: eventId,
      companyId,
      externalId: event.id,
      type: event.type,
      recordId: String(event.data.id),
      occurredAt,
      data: event.data,
      previous: event.previous,
      owner: { email: "grace@example.com" },
      createdAt: occurredAt,
    },
    delivery: {
      id: deliveryId,
      companyId,
      webhookId: webhook.id,
      eventId,
      status,
      attempts: attempts.length,
      nextAttemptAt: status === "queued" ? new Date(now.getTime() + minutes(d.nextInMinutes!)) : null,
      lastStatusCode: last.responseStatus,
      lastError: succeeded ? null : `${last.errorKind}: ${last.errorMessage}`,
      lastDurationMs: last.durationMs,
      completedAt: status === "queued" ? null : last.createdAt,
      createdAt: occurredAt,
    },
    attempts,
  };
}

/**
 * Creates the demo webhooks a company lacks (found by name), each with its history, and sets each
 * webhook's last status as the pipeline would. Returns how many webhooks were created.
 */
export async function seedDemoWebhooks(db: DbOrTx, companyId: string, ownerId: string, now = new Date()) {
  const existing = await existingWebhookNames(
    db,
    companyId,
    DEMO_WEBHOOKS.map((w) => String(w.input.name)),
  );
  let created = 0;
  for (const demo of DEMO_WEBHOOKS) {
    if (existing.has(String(demo.input.name))) continue;
    const { webhook, signingSecret } = await insertWebhook(db, companyId, ownerId, demo.input);
    const rows = demo.deliveries.map((d, i) =>
      historyRows(companyId, { id: webhook.id, signingSecret }, demo, d, i, now),
    );
    await insertDeliveryHistory(db, rows);
    const sent = rows.flatMap((r) => r.attempts).sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
    const lastAttempt = sent[sent.length - 1];
    const lastOk = lastAttempt.errorKind === null;
    // Failing since the first failed attempt after the last success.
    const lastSuccessAt = Math.max(0, ...sent.filter((a) => a.errorKind === null).map((a) => a.createdAt!.getTime()));
    const firstFailure = sent.find((a) => a.errorKind !== null && a.createdAt!.getTime() > lastSuccessAt);
    await updateWebhookRow(db, webhook.id, {
      lastSentAt: lastAttempt.createdAt,
      lastStatus: lastOk ? "success" : "failed",
      lastStatusCode: lastAttempt.responseStatus ?? null,
      failingSince: lastOk ? null : (firstFailure?.createdAt ?? null),
      // A day ago, a minute apart: the listing's newest-first order is the order above, reversed.
      createdAt: new Date(now.getTime() - minutes(24 * 60 - created)),
    });
    created++;
  }
  return created;
}
