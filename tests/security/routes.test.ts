import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { closeDb } from "@/db";
import { deliveries, events } from "@/db/schema";
import { stopWebBoss } from "@/jobs/boss";
import { ACTIONS } from "@/lib/actions/registry";
import { createPlan } from "@/db/queries/plans";
import { randomToken } from "@/lib/crypto";
import { keyFor } from "@/tests/api";
import { addMember, makeCompany, testEnvironment } from "@/tests/helpers";

/**
 * Issue 7 item 6, the route handlers (server actions: lib/actions/authorization.test.ts). Every
 * route file under app/api is found on disk, like lib/openapi.test.ts does, and every exported
 * method must have an entry in TABLE below — a new route without one fails this file. Each guarded
 * route × method is called, as Next would call it, with:
 *   - no key, and a revoked key → 401;
 *   - a key whose creator lacks the permission (no Webhooks permission at all; View only for
 *     changes; a creator who has left the company) → 403;
 *   - another company's key with this company's ids → 404 (or 422 for an id inside the body);
 *   - each of those again with a forged `x-middleware-subrequest` header (CVE-2025-29927: it
 *     once made Next skip middleware; here nothing may rely on middleware, and the header changes
 *     nothing);
 * and the database is unchanged after every refusal. The same calls then succeed with the owner's
 * key, so the refusals are real. Public routes are listed as public, with the reason, and are
 * checked to hold no company data.
 */
const env = testEnvironment();

const ROOT = path.resolve(import.meta.dirname, "../..");
const API_DIR = path.join(ROOT, "app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
type Method = (typeof METHODS)[number];

/** Every route file under app/api as { route: "/api/v1/webhooks/{id}", file, methods }. */
function routeFiles(dir = API_DIR): { route: string; file: string; methods: Method[] }[] {
  const out: { route: string; file: string; methods: Method[] }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...routeFiles(full));
    else if (/^route\.(ts|tsx|js)$/.test(entry.name)) {
      const route = `/api/${path.relative(API_DIR, dir).split(path.sep).join("/")}`.replace(/\[([^\]]+)\]/g, "{$1}");
      const text = readFileSync(full, "utf8");
      const methods = [
        ...text.matchAll(/export\s+(?:async\s+function|const)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g),
      ].map((m) => m[1] as Method);
      // `export const { GET, POST } = handlers` (next-auth)
      for (const m of text.matchAll(/export\s+const\s+\{([^}]*)\}/g))
        methods.push(
          ...m[1]
            .split(",")
            .map((s) => s.trim() as Method)
            .filter((s) => METHODS.includes(s)),
        );
      out.push({ route, file: full, methods });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The world: company A (owner, members with too little, a member who left, rows of every kind)
// and company B (its owner holds every permission, in B).

async function buildWorld() {
  const a = await makeCompany(env.deps, "Routes A");
  const b = await makeCompany(env.deps, "Routes B");
  const role = async (name: string, permissions: string[]) => {
    const r = await ACTIONS.createRole.run(env.deps, a.owner, { name, permissions });
    if (!r.ok) throw new Error(r.error);
    return r.data.roleId;
  };
  // Each key's creator holds Manage API Keys (to create it) and then only what the name says.
  const keysOnly = await addMember(env.db, a.companyId, await role("Keys only", ["apiKeys.manage"]));
  const viewer = await addMember(env.db, a.companyId, await role("Viewer", ["apiKeys.manage", "webhooks.view"]));
  const leaver = await addMember(env.db, a.companyId, await role("Leaver", ["apiKeys.manage", "webhooks.manage"]));
  const keys = {
    owner: await keyFor(env.deps, a.owner, "owner"),
    noWebhooks: await keyFor(env.deps, keysOnly.caller, "no webhook permission"),
    viewer: await keyFor(env.deps, viewer.caller, "view only"),
    leaver: await keyFor(env.deps, leaver.caller, "creator left"),
    revoked: await keyFor(env.deps, a.owner, "revoked"),
    b: await keyFor(env.deps, b.owner, "company B"),
  };
  const removed = await ACTIONS.removeMember.run(env.deps, a.owner, { membershipId: leaver.membershipId });
  if (!removed.ok) throw new Error(removed.error);
  const [revokedRow] = await env.db.execute(
    sql`select id from api_keys where company_id = ${a.companyId} and name = 'revoked'`,
  );
  const revoked = await ACTIONS.revokeApiKey.run(env.deps, a.owner, { apiKeyId: String(revokedRow.id) });
  if (!revoked.ok) throw new Error(revoked.error);

  const hook = await ACTIONS.createWebhook.run(env.deps, a.owner, webhookInput("A's orders"));
  const doomed = await ACTIONS.createWebhook.run(env.deps, a.owner, webhookInput("A's doomed"));
  const theirs = await ACTIONS.createWebhook.run(env.deps, b.owner, webhookInput("B's own"));
  const cred = await ACTIONS.createOAuthCredential.run(env.deps, a.owner, credentialInput("A's CRM"));
  const spare = await ACTIONS.createOAuthCredential.run(env.deps, a.owner, credentialInput("A's spare"));
  const recovering = await ACTIONS.createWebhook.run(env.deps, a.owner, {
    ...webhookInput("A's recovering"),
    active: true,
  });
  if (!hook.ok || !doomed.ok || !theirs.ok || !cred.ok || !spare.ok || !recovering.ok)
    throw new Error("world setup failed");
  for (const type of ["routes.escalated", "routes.spare"]) {
    const made = await ACTIONS.createEventType.run(env.deps, a.owner, {
      type,
      label: type,
      module: "routes",
      sample: { id: "r1" },
    });
    if (!made.ok) throw new Error(made.error);
  }
  const [event] = await env.db
    .insert(events)
    .values({
      companyId: a.companyId,
      externalId: "evt_routes",
      type: "deal.updated",
      occurredAt: new Date(),
      data: { id: "d1" },
    })
    .returning();
  const [delivery] = await env.db
    .insert(deliveries)
    .values({
      companyId: a.companyId,
      webhookId: hook.data.webhookId,
      eventId: event.id,
      status: "failed",
      attempts: 1,
    })
    .returning();
  const plan = await createPlan(env.db, { name: `Routes plan ${randomToken(6)}` });
  const doomedPlan = await createPlan(env.db, { name: `Routes doomed plan ${randomToken(6)}` });
  return {
    a,
    b,
    keys,
    planId: plan.id,
    doomedPlanId: doomedPlan.id,
    webhookId: hook.data.webhookId,
    doomedWebhookId: doomed.data.webhookId,
    recoveringWebhookId: recovering.data.webhookId,
    bWebhookId: theirs.data.webhookId,
    credentialId: cred.data.credentialId,
    spareCredentialId: spare.data.credentialId,
    deliveryId: delivery.id,
  };
}
type World = Awaited<ReturnType<typeof buildWorld>>;

function webhookInput(name: string) {
  return {
    name,
    eventType: "deal.updated",
    url: "http://127.0.0.1:9/hook",
    retryPolicy: { type: "preset", preset: "none" },
    notifyOnFailure: false,
  };
}

function credentialInput(name: string) {
  return {
    name,
    tokenUrl: "http://127.0.0.1:9/token",
    parameters: [
      { name: "client_id", value: "abc" },
      { name: "client_secret", value: "s3cret-value" },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The table: every route × method.

interface Call {
  params?: Record<string, string>;
  body?: unknown;
  query?: string;
}

type Spec =
  | { access: "public"; why: string; call: false | ((w: World) => Call) }
  /** The operator API: only `Authorization: Bearer $HOOKRELAY_OPERATOR_KEY`; no company key opens it. */
  | { access: "operator"; call: (w: World) => Call; ok: number }
  /** Prometheus metrics: only `Authorization: Bearer $HOOKRELAY_METRICS_TOKEN`; no company key opens it. */
  | { access: "metrics" }
  /** Any live key of the company; the route acts for the key's company and names no row. */
  | { access: "key"; why: string; call: (w: World) => Call; ok: number }
  | {
      access: "webhooks.view" | "webhooks.manage";
      /** A's rows, for the owner's successful call and every refusal. */
      call: (w: World) => Call;
      /** The same route aimed at company A's rows while holding company B's key; "none" when the route names no row
       * (the key's company is used). */
      foreign: ((w: World) => Call) | "none";
      ok: number;
    };

const TABLE: Record<string, Spec> = {
  "GET /api/metrics": { access: "metrics" },
  "GET /api/health": {
    access: "public",
    why: "liveness for load balancers; says only ok/unavailable",
    call: () => ({}),
  },
  "GET /api/auth/{...nextauth}": {
    access: "public",
    why: "next-auth's sign-in/session endpoints: the way in, guarded by the password (covered by the e2e)",
    call: false,
  },
  "POST /api/auth/{...nextauth}": {
    access: "public",
    why: "next-auth's sign-in/sign-out (CSRF-protected by next-auth; covered by the e2e)",
    call: false,
  },
  "GET /api/oauth/callback": {
    access: "public",
    why: "where the OAuth provider sends the browser back after Connect: it acts only for the signed-in session, on a one-time state that session started, and checks Manage Webhooks in the credential's company itself (lib/oauth/connect.test.ts, e2e/oauth-connect.spec.ts); without a session it redirects to sign-in",
    call: false,
  },
  "GET /api/v1/openapi.json": {
    access: "public",
    why: "the API's OpenAPI document: no company data",
    call: () => ({}),
  },
  "GET /api/v1/event-types": {
    access: "public",
    why: "the event catalog with sample records: no company data",
    call: () => ({}),
  },
  "GET /api/v1/company": {
    access: "key",
    why: "which company a key belongs to: any live key",
    call: () => ({}),
    ok: 200,
  },
  "GET /api/v1/usage": {
    access: "key",
    why: "the company's plan and usage, read-only: any live key",
    call: () => ({}),
    ok: 200,
  },
  "GET /api/operator/plans": { access: "operator", call: () => ({}), ok: 200 },
  "POST /api/operator/plans": {
    access: "operator",
    call: () => ({ body: { name: `Routes new plan ${randomToken(6)}` } }),
    ok: 201,
  },
  "GET /api/operator/plans/{id}": { access: "operator", call: (w) => ({ params: { id: w.planId } }), ok: 200 },
  "PATCH /api/operator/plans/{id}": {
    access: "operator",
    call: (w) => ({ params: { id: w.planId }, body: { callsPerDay: 10 } }),
    ok: 200,
  },
  "DELETE /api/operator/plans/{id}": {
    access: "operator",
    call: (w) => ({ params: { id: w.doomedPlanId } }),
    ok: 204,
  },
  "GET /api/operator/companies": { access: "operator", call: () => ({}), ok: 200 },
  "GET /api/operator/companies/{id}/plan": {
    access: "operator",
    call: (w) => ({ params: { id: w.a.companyId } }),
    ok: 200,
  },
  "PUT /api/operator/companies/{id}/plan": {
    access: "operator",
    call: (w) => ({ params: { id: w.a.companyId }, body: { plan: w.planId } }),
    ok: 200,
  },
  "POST /api/v1/events": {
    access: "key",
    why: "posting events needs only a live key (README)",
    call: () => ({ body: { type: "contact.created", data: { id: "c-routes" } } }),
    ok: 202,
  },

  "GET /api/v1/webhooks": {
    access: "webhooks.view",
    call: () => ({ query: "?pageSize=100" }),
    foreign: "none",
    ok: 200,
  },
  "POST /api/v1/webhooks": {
    access: "webhooks.manage",
    call: () => ({ body: webhookInput("Created by the API") }),
    // B's key, but an OAuth credential of company A in the body.
    foreign: (w) => ({
      body: { ...webhookInput("Borrowing A's credential"), auth: { type: "oauth", credentialId: w.credentialId } },
    }),
    ok: 201,
  },
  "GET /api/v1/webhooks/{id}": {
    access: "webhooks.view",
    call: (w) => ({ params: { id: w.webhookId } }),
    foreign: (w) => ({ params: { id: w.webhookId } }),
    ok: 200,
  },
  "PUT /api/v1/webhooks/{id}": {
    access: "webhooks.manage",
    call: (w) => ({
      params: { id: w.webhookId },
      body: { ...webhookInput("Renamed by PUT"), url: "http://127.0.0.1:9/elsewhere" },
    }),
    foreign: (w) => ({
      params: { id: w.webhookId },
      body: { ...webhookInput("Taken over"), url: "http://127.0.0.1:9/attacker" },
    }),
    ok: 200,
  },
  "PATCH /api/v1/webhooks/{id}": {
    access: "webhooks.manage",
    call: (w) => ({ params: { id: w.webhookId }, body: { description: "patched" } }),
    foreign: (w) => ({ params: { id: w.webhookId }, body: { url: "http://127.0.0.1:9/attacker" } }),
    ok: 200,
  },
  "DELETE /api/v1/webhooks/{id}": {
    access: "webhooks.manage",
    call: (w) => ({ params: { id: w.doomedWebhookId } }),
    foreign: (w) => ({ params: { id: w.doomedWebhookId } }),
    ok: 204,
  },
  "GET /api/v1/webhooks/{id}/deliveries": {
    access: "webhooks.view",
    call: (w) => ({ params: { id: w.webhookId }, query: "?status=failed" }),
    foreign: (w) => ({ params: { id: w.webhookId } }),
    ok: 200,
  },
  "POST /api/v1/webhooks/{id}/rotate-secret": {
    access: "webhooks.manage",
    call: (w) => ({ params: { id: w.webhookId }, body: { overlapHours: 1 } }),
    foreign: (w) => ({ params: { id: w.webhookId }, body: {} }),
    ok: 200,
  },
  "POST /api/v1/webhooks/{id}/recover": {
    access: "webhooks.manage",
    call: (w) => ({ params: { id: w.recoveringWebhookId }, body: { since: "2026-01-01T00:00:00Z" } }),
    foreign: (w) => ({ params: { id: w.recoveringWebhookId }, body: { since: "2026-01-01T00:00:00Z" } }),
    ok: 202,
  },
  "POST /api/v1/event-types": {
    access: "webhooks.manage",
    call: () => ({ body: { type: "routes.created", label: "Created", module: "routes", sample: { id: "r2" } } }),
    foreign: "none",
    ok: 201,
  },
  "GET /api/v1/event-types/{type}": {
    access: "webhooks.view",
    call: () => ({ params: { type: "routes.escalated" } }),
    foreign: () => ({ params: { type: "routes.escalated" } }),
    ok: 200,
  },
  "PUT /api/v1/event-types/{type}": {
    access: "webhooks.manage",
    call: () => ({
      params: { type: "routes.escalated" },
      body: { label: "Renamed", module: "routes", sample: { id: "r1" } },
    }),
    foreign: () => ({
      params: { type: "routes.escalated" },
      body: { label: "Taken over", module: "x", sample: { id: "r" } },
    }),
    ok: 200,
  },
  "PATCH /api/v1/event-types/{type}": {
    access: "webhooks.manage",
    call: () => ({ params: { type: "routes.escalated" }, body: { deprecated: true } }),
    foreign: () => ({ params: { type: "routes.escalated" }, body: { deprecated: true } }),
    ok: 200,
  },
  "DELETE /api/v1/event-types/{type}": {
    access: "webhooks.manage",
    call: () => ({ params: { type: "routes.spare" } }),
    foreign: () => ({ params: { type: "routes.spare" } }),
    ok: 204,
  },
  "POST /api/v1/deliveries/{id}/resend": {
    access: "webhooks.manage",
    call: (w) => ({ params: { id: w.deliveryId } }),
    foreign: (w) => ({ params: { id: w.deliveryId } }),
    ok: 202,
  },
  "GET /api/v1/oauth-credentials": { access: "webhooks.view", call: () => ({}), foreign: "none", ok: 200 },
  "POST /api/v1/oauth-credentials": {
    access: "webhooks.manage",
    call: () => ({ body: credentialInput("Created by the API") }),
    foreign: "none",
    ok: 201,
  },
  "GET /api/v1/oauth-credentials/{id}": {
    access: "webhooks.view",
    call: (w) => ({ params: { id: w.credentialId } }),
    foreign: (w) => ({ params: { id: w.credentialId } }),
    ok: 200,
  },
  "PUT /api/v1/oauth-credentials/{id}": {
    access: "webhooks.manage",
    call: (w) => ({
      params: { id: w.credentialId },
      body: {
        ...credentialInput("Renamed by PUT"),
        parameters: [
          { name: "client_id", value: "abc" },
          { name: "client_secret", value: "" },
        ],
      },
    }),
    foreign: (w) => ({
      params: { id: w.credentialId },
      body: { ...credentialInput("Taken over"), tokenUrl: "http://127.0.0.1:9/attacker" },
    }),
    ok: 200,
  },
  "DELETE /api/v1/oauth-credentials/{id}": {
    access: "webhooks.manage",
    call: (w) => ({ params: { id: w.spareCredentialId } }),
    foreign: (w) => ({ params: { id: w.spareCredentialId } }),
    ok: 204,
  },
};

// ---------------------------------------------------------------------------------------------

const FORGED = "middleware:middleware:middleware:middleware:middleware";
type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const modules = new Map<string, Record<string, unknown>>();

async function handlerOf(route: string, method: Method): Promise<Handler> {
  const file = routeFiles().find((r) => r.route === route)!.file;
  if (!modules.has(file)) modules.set(file, (await import(file)) as Record<string, unknown>);
  return modules.get(file)![method] as Handler;
}

interface Answer {
  status: number;
  text: string;
  json: any;
}

async function request(
  key: string | null,
  forged: boolean,
  method: Method,
  route: string,
  call: Call,
): Promise<Answer> {
  const handler = await handlerOf(route, method);
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (forged) headers["x-middleware-subrequest"] = FORGED;
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers["content-type"] = "application/json";
  }
  const pathname = route.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(call.params?.[name] ?? name));
  const res = await handler(new Request(`http://localhost${pathname}${call.query ?? ""}`, { method, headers, body }), {
    params: Promise.resolve(call.params ?? {}),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

const TENANT_TABLES = [
  "companies",
  "users",
  "roles",
  "memberships",
  "invitations",
  "api_keys",
  "notifications",
  "webhooks",
  "oauth_credentials",
  "oauth_authorizations",
  "audit_log",
  "events",
  "deliveries",
  "delivery_attempts",
  "bulk_retries",
];

/** Everything stored for the two companies, minus api_keys.last_used_at (a key's use is not a change). */
async function snapshot(w: World): Promise<string> {
  const ids = sql.join(
    [w.a.companyId, w.b.companyId].map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const parts: unknown[] = [];
  for (const table of TENANT_TABLES) {
    const where =
      table === "companies"
        ? sql`t.id in (${ids})`
        : table === "users"
          ? sql`t.id in (select user_id from memberships where company_id in (${ids}))`
          : sql`t.company_id in (${ids})`;
    const [row] = await env.db.execute(
      sql`select coalesce(json_agg(to_jsonb(t) - 'last_used_at' order by t.id), '[]'::json) as rows from ${sql.identifier(table)} t where ${where}`,
    );
    parts.push(row.rows);
  }
  const [jobs] = await env.db.execute(
    sql`select count(*)::int as n from pgboss.job where data->>'deliveryId' in (select id::text from deliveries where company_id in (${ids}))`,
  );
  parts.push(jobs.n);
  return JSON.stringify(parts);
}

function expectError(answer: Answer, status: number, what: string) {
  expect(answer.status, `${what}: ${answer.text.slice(0, 300)}`).toBe(status);
  expect(answer.json?.error?.code, what).toEqual(expect.any(String));
  expect(answer.json?.error?.message, what).toEqual(expect.any(String));
}

let world: World;
beforeAll(async () => {
  world = await buildWorld();
});

afterAll(async () => {
  await stopWebBoss();
  await closeDb();
  await env.close();
});

const ALL = routeFiles().flatMap((r) => r.methods.map((m) => `${m} ${r.route}`));
const GUARDED = ALL.filter(
  (k) => TABLE[k] && TABLE[k].access !== "public" && TABLE[k].access !== "operator" && TABLE[k].access !== "metrics",
);
const METRICS = ALL.filter((k) => TABLE[k]?.access === "metrics");
const OPERATOR = ALL.filter((k) => TABLE[k]?.access === "operator");
const split = (k: string) => k.split(" ") as [Method, string];

describe("the route table", () => {
  it("lists exactly the route handlers under app/api, method by method", () => {
    expect(ALL.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(TABLE).sort()).toEqual([...ALL].sort());
  });

  it("no middleware or proxy stands between requests and these checks, and Next is a version patched for CVE-2025-29927", () => {
    // The handlers authenticate every request themselves; nothing is delegated to middleware, so a
    // header that makes Next skip middleware cannot skip an authorization check.
    for (const f of ["middleware.ts", "middleware.js", "proxy.js", "src/middleware.ts", "src/proxy.ts"]) {
      expect(() => readFileSync(path.join(ROOT, f)), f).toThrow();
    }
    // proxy.ts only sets security headers (issue 13 item 9): it reads no session, key or cookie,
    // redirects nowhere and answers nothing itself, and it does not run for the API at all.
    const proxy = readFileSync(path.join(ROOT, "proxy.ts"), "utf8");
    expect(proxy).not.toMatch(/auth|session|cookie|redirect|rewrite|NextResponse\.json|new Response|status:/i);
    expect(proxy).toMatch(/NextResponse\.next\(/);
    expect(proxy).toContain('"/((?!api/|_next/static|_next/image|favicon.ico).*)"');
    const next = JSON.parse(readFileSync(path.join(ROOT, "node_modules/next/package.json"), "utf8")).version as string;
    const [major, minor, patch] = next.split(".").map((n) => parseInt(n, 10));
    // Fixed in 12.3.5, 13.5.9, 14.2.25 and 15.2.3; this project is on 16.
    expect(major > 15 || (major === 15 && (minor > 2 || (minor === 2 && patch >= 3))), next).toBe(true);
  });
});

describe.each(ALL.filter((k) => TABLE[k]?.access === "public"))("%s (public by design)", (entry) => {
  const [method, route] = split(entry);
  const spec = TABLE[entry] as Extract<Spec, { access: "public" }>;

  it.each([false, true])("answers without a key (forged header: %s), with no company's data", async (forged) => {
    if (spec.call === false) return; // next-auth: see `why`
    const before = await snapshot(world);
    const answer = await request(null, forged, method, route, spec.call(world));
    expect(answer.status).toBe(200);
    for (const secretish of [
      world.a.companyId,
      world.b.companyId,
      "Routes A",
      "Routes B",
      world.webhookId,
      world.credentialId,
    ]) {
      expect(answer.text).not.toContain(secretish);
    }
    expect(await snapshot(world)).toBe(before);
  });
});

describe.each(GUARDED)("%s", (entry) => {
  const [method, route] = split(entry);
  const spec = TABLE[entry] as Exclude<Spec, { access: "public" | "operator" | "metrics" }>;

  async function expectRefused(
    key: string | null,
    forged: boolean,
    call: Call,
    status: number | number[],
    what: string,
  ) {
    const before = await snapshot(world);
    const answer = await request(key, forged, method, route, call);
    const statuses = Array.isArray(status) ? status : [status];
    expect(statuses, `${what}: got ${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
    expectError(answer, answer.status, what);
    expect(await snapshot(world), `${what}: the database changed`).toBe(before);
    return answer;
  }

  describe.each([false, true])("forged x-middleware-subrequest: %s", (forged) => {
    it("is refused without a key, and with a revoked or unknown key (401)", async () => {
      const call = spec.call(world);
      await expectRefused(null, forged, call, 401, "no key");
      await expectRefused(world.keys.revoked, forged, call, 401, "revoked key");
      await expectRefused("hr_live_unknownunknownunknownunknown", forged, call, 401, "unknown key");
      await expectRefused(
        world.keys.owner.replace(/.$/, (c) => (c === "A" ? "B" : "A")),
        forged,
        call,
        401,
        "altered key",
      );
    });

    if (spec.access === "key") return;

    it("is refused for a key whose creator lacks the permission, or has left the company (403)", async () => {
      const call = spec.call(world);
      await expectRefused(world.keys.noWebhooks, forged, call, 403, "creator without any Webhooks permission");
      if (spec.access === "webhooks.manage")
        await expectRefused(world.keys.viewer, forged, call, 403, "creator with View Webhooks only");
      await expectRefused(world.keys.leaver, forged, call, 403, "creator removed from the company");
    });

    it("is refused with another company's key aimed at this company's rows", async () => {
      if (spec.foreign === "none") {
        // The route names no row: B's key sees B's company only.
        if (method === "GET") {
          const answer = await request(world.keys.b, forged, method, route, spec.call(world));
          expect(answer.status).toBe(200);
          for (const id of [
            world.webhookId,
            world.doomedWebhookId,
            world.credentialId,
            world.spareCredentialId,
            world.a.companyId,
          ])
            expect(answer.text).not.toContain(id);
        }
        return;
      }
      const call = spec.foreign(world);
      // An id in the path is simply not found in B (404); an id of A inside the body is invalid there (422).
      await expectRefused(world.keys.b, forged, call, call.params ? 404 : 422, "company B's key on company A's ids");
    });
  });
});

describe.each(OPERATOR)("%s (the operator API)", (entry) => {
  const [method, route] = split(entry);
  const spec = TABLE[entry] as Extract<Spec, { access: "operator" }>;
  const OPERATOR_KEY = `operator-${randomToken(30)}`;

  async function refused(key: string | null, forged: boolean, status: number, what: string) {
    const before = await snapshot(world);
    const answer = await request(key, forged, method, route, spec.call(world));
    expectError(answer, status, what);
    expect(await snapshot(world), `${what}: the database changed`).toBe(before);
    return answer;
  }

  it.each([false, true])(
    "is 404 while HOOKRELAY_OPERATOR_KEY is unset, even with a key (forged: %s)",
    async (forged) => {
      delete process.env.HOOKRELAY_OPERATOR_KEY;
      const answer = await refused(world.keys.owner, forged, 404, "operator API not configured");
      expect(answer.json.error.message).toContain("HOOKRELAY_OPERATOR_KEY");
    },
  );

  it.each([false, true])("refuses no key, company keys and a wrong key with 401 (forged: %s)", async (forged) => {
    process.env.HOOKRELAY_OPERATOR_KEY = OPERATOR_KEY;
    try {
      await refused(null, forged, 401, "no key");
      await refused(world.keys.owner, forged, 401, "a company owner's key");
      await refused(world.keys.b, forged, 401, "another company's key");
      await refused(`${OPERATOR_KEY}0`, forged, 401, "a longer key");
      await refused(OPERATOR_KEY.slice(0, -1), forged, 401, "a shorter key");
    } finally {
      delete process.env.HOOKRELAY_OPERATOR_KEY;
    }
  });

  it("answers the operator key", async () => {
    process.env.HOOKRELAY_OPERATOR_KEY = OPERATOR_KEY;
    try {
      const answer = await request(OPERATOR_KEY, false, method, route, spec.call(world));
      expect(answer.status, answer.text.slice(0, 300)).toBe(spec.ok);
    } finally {
      delete process.env.HOOKRELAY_OPERATOR_KEY;
    }
  });
});

describe.each(METRICS)("%s (Prometheus metrics)", (entry) => {
  const [method, route] = split(entry);
  const TOKEN = `metrics-${randomToken(30)}`;

  async function refused(key: string | null, forged: boolean, status: number, what: string) {
    const before = await snapshot(world);
    const answer = await request(key, forged, method, route, {});
    expectError(answer, status, what);
    expect(await snapshot(world), `${what}: the database changed`).toBe(before);
    return answer;
  }

  it.each([false, true])(
    "is 404 while HOOKRELAY_METRICS_TOKEN is unset, even with a key (forged: %s)",
    async (forged) => {
      delete process.env.HOOKRELAY_METRICS_TOKEN;
      const answer = await refused(world.keys.owner, forged, 404, "metrics not configured");
      expect(answer.json.error.message).toContain("HOOKRELAY_METRICS_TOKEN");
    },
  );

  it.each([false, true])("refuses no token, company keys and a wrong token with 401 (forged: %s)", async (forged) => {
    process.env.HOOKRELAY_METRICS_TOKEN = TOKEN;
    try {
      await refused(null, forged, 401, "no token");
      await refused(world.keys.owner, forged, 401, "a company owner's key");
      await refused(`${TOKEN}0`, forged, 401, "a longer token");
      await refused(TOKEN.slice(0, -1), forged, 401, "a shorter token");
    } finally {
      delete process.env.HOOKRELAY_METRICS_TOKEN;
    }
  });

  it("answers the token, with no company's data", async () => {
    process.env.HOOKRELAY_METRICS_TOKEN = TOKEN;
    try {
      const answer = await request(TOKEN, false, method, route, {});
      expect(answer.status, answer.text.slice(0, 300)).toBe(200);
      expect(answer.text).toContain("# TYPE hookrelay_queue_jobs gauge");
      for (const secretish of [world.a.companyId, world.b.companyId, "Routes A", world.webhookId])
        expect(answer.text).not.toContain(secretish);
    } finally {
      delete process.env.HOOKRELAY_METRICS_TOKEN;
    }
  });
});

describe("the same calls succeed with the owner's key (the refusals above are real)", () => {
  it.each(GUARDED)("%s", async (entry) => {
    const [method, route] = split(entry);
    const spec = TABLE[entry] as Exclude<Spec, { access: "public" | "operator" | "metrics" }>;
    const answer = await request(world.keys.owner, true, method, route, spec.call(world));
    expect(answer.status, answer.text.slice(0, 300)).toBe(spec.ok);
  });
});

describe("input PostgreSQL cannot store is a 422 naming the field, not a 500 (defineAction)", () => {
  it.each([
    [
      "a NUL in a webhook's name",
      "POST /api/v1/webhooks",
      () => ({ body: { ...webhookInput("nul\u0000name") } }),
      "name",
    ],
    [
      "an unpaired surrogate in a header value",
      "POST /api/v1/webhooks",
      () => ({ body: { ...webhookInput("x"), headers: [{ name: "X-A", value: "bad \ud800" }] } }),
      "headers.0.value",
    ],
    [
      "a NUL in a PATCHed description",
      "PATCH /api/v1/webhooks/{id}",
      (w: World) => ({ params: { id: w.webhookId }, body: { description: "a\u0000b" } }),
      "description",
    ],
    [
      "a NUL in an OAuth parameter",
      "POST /api/v1/oauth-credentials",
      () => ({ body: { ...credentialInput("x"), parameters: [{ name: "client_id", value: "a\u0000" }] } }),
      "parameters.0.value",
    ],
  ] as const)("%s", async (_label, entry, call, field) => {
    const [method, route] = split(entry);
    const before = await snapshot(world);
    const answer = await request(world.keys.owner, false, method, route, call(world));
    expectError(answer, 422, entry);
    expect(answer.json.error.field).toBe(field);
    expect(await snapshot(world)).toBe(before);
  });
});
