import { asc, eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "@/db";
import { companies, dailyUsage, dailyUserUsage, plans, users, webhooks, type Plan } from "@/db/schema";

/**
 * The operator's plans and what a company has used of its plan: the reads and writes of `npm run admin`,
 * the operator API, Settings → Plan & usage and `GET /api/v1/usage`. Enforcement lives where each limit
 * bites: calls in db/queries/delivery-state.ts (dispatchWithinLimits), webhooks in lib/actions/webhooks.ts.
 */

/** A refused operator request: `code` maps to the CLI's message and the operator API's status. */
export class PlanError extends Error {
  constructor(
    public readonly code: "invalid" | "not_found" | "conflict",
    message: string,
    public readonly field?: string,
  ) {
    super(message);
    this.name = "PlanError";
  }
}

/** The plan a company is on: its own, else the default plan; a database without any plan reads as unlimited. */
export interface CompanyPlan {
  id: string | null;
  name: string;
  webhooksEnabled: boolean;
  callsPerDay: number | null;
  callsPerUserPerDay: number | null;
  maxWebhooks: number | null;
  /** True when the operator assigned it; false for the default plan. */
  assigned: boolean;
}

export const NO_PLAN: CompanyPlan = {
  id: null,
  name: "Unlimited",
  webhooksEnabled: true,
  callsPerDay: null,
  callsPerUserPerDay: null,
  maxWebhooks: null,
  assigned: false,
};

/** `p` is the plan of `c` (companies): its own, else the default. For the plan's columns in a raw statement. */
export const PLAN_OF_COMPANY = sql`p.id = coalesce(c.plan_id, (select d.id from ${plans} d where d.is_default limit 1))`;

export async function companyPlan(db: DbOrTx, companyId: string): Promise<CompanyPlan> {
  const [row] = await db.execute<{
    id: string | null;
    name: string | null;
    webhooksEnabled: boolean | null;
    callsPerDay: number | null;
    callsPerUserPerDay: number | null;
    maxWebhooks: number | null;
    assigned: boolean;
  }>(sql`
    select p.id, p.name, p.webhooks_enabled as "webhooksEnabled", p.calls_per_day as "callsPerDay",
      p.calls_per_user_per_day as "callsPerUserPerDay", p.max_webhooks as "maxWebhooks", c.plan_id is not null as assigned
    from ${companies} c left join ${plans} p on ${PLAN_OF_COMPANY}
    where c.id = ${companyId}`);
  if (!row || row.id === null) return NO_PLAN;
  return {
    id: row.id,
    name: row.name!,
    webhooksEnabled: row.webhooksEnabled!,
    callsPerDay: row.callsPerDay,
    callsPerUserPerDay: row.callsPerUserPerDay,
    maxWebhooks: row.maxWebhooks,
    assigned: row.assigned,
  };
}

export type PlanWithCompanies = Plan & { companies: number };

export async function listPlans(db: DbOrTx): Promise<PlanWithCompanies[]> {
  return db
    .select({
      id: plans.id,
      name: plans.name,
      webhooksEnabled: plans.webhooksEnabled,
      callsPerDay: plans.callsPerDay,
      callsPerUserPerDay: plans.callsPerUserPerDay,
      maxWebhooks: plans.maxWebhooks,
      isDefault: plans.isDefault,
      createdAt: plans.createdAt,
      updatedAt: plans.updatedAt,
      companies: sql<number>`(select count(*)::int from ${companies} c
        where coalesce(c.plan_id, (select d.id from ${plans} d where d.is_default limit 1)) = ${plans.id})`,
    })
    .from(plans)
    .orderBy(asc(plans.name));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A plan by id or by name (case-insensitive). */
export async function findPlan(db: DbOrTx, idOrName: string): Promise<Plan | undefined> {
  const [row] = await db
    .select()
    .from(plans)
    .where(UUID.test(idOrName) ? eq(plans.id, idOrName) : sql`lower(${plans.name}) = lower(${idOrName})`);
  return row;
}

async function requirePlan(db: DbOrTx, idOrName: string): Promise<Plan> {
  const plan = await findPlan(db, idOrName);
  if (!plan) throw new PlanError("not_found", `No plan "${idOrName}" (npm run admin -- plans list shows them)`, "plan");
  return plan;
}

function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 4; e = e.cause as never, i++)
    if (e.code === "23505") return true;
  return false;
}

export interface PlanFields {
  name?: string;
  webhooksEnabled?: boolean;
  callsPerDay?: number | null;
  callsPerUserPerDay?: number | null;
  maxWebhooks?: number | null;
  isDefault?: boolean;
}

/** Writes a plan (new when `id` is null); making one the default unmakes the previous default in one transaction. */
async function writePlan(db: Database, id: string | null, fields: PlanFields): Promise<Plan> {
  try {
    return await db.transaction(async (tx) => {
      if (fields.isDefault) await tx.update(plans).set({ isDefault: false }).where(eq(plans.isDefault, true));
      if (id === null) {
        const [row] = await tx
          .insert(plans)
          .values({ ...fields, name: fields.name! })
          .returning();
        return row;
      }
      const [current] = await tx.select().from(plans).where(eq(plans.id, id)).for("update");
      if (!current) throw new PlanError("not_found", "No such plan", "plan");
      if (current.isDefault && fields.isDefault === false)
        throw new PlanError(
          "conflict",
          `${current.name} is the default plan: make another plan the default instead`,
          "isDefault",
        );
      const [row] = await tx
        .update(plans)
        .set({ ...fields, updatedAt: new Date() })
        .where(eq(plans.id, id))
        .returning();
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new PlanError("conflict", `A plan named "${fields.name}" exists already`, "name");
    throw err;
  }
}

export function createPlan(db: Database, fields: PlanFields & { name: string }): Promise<Plan> {
  return writePlan(db, null, fields);
}

export async function updatePlan(db: Database, idOrName: string, fields: PlanFields): Promise<Plan> {
  return writePlan(db, (await requirePlan(db, idOrName)).id, fields);
}

/** Deletes a plan no company is assigned and that is not the default. */
export async function deletePlan(db: Database, idOrName: string): Promise<Plan> {
  const plan = await requirePlan(db, idOrName);
  if (plan.isDefault)
    throw new PlanError("conflict", `${plan.name} is the default plan: make another plan the default first`, "plan");
  const [used] = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from ${companies} where plan_id = ${plan.id}`,
  );
  if (used.n > 0)
    throw new PlanError(
      "conflict",
      `${plan.name} is assigned to ${used.n} ${used.n === 1 ? "company" : "companies"}: assign them another plan first`,
      "plan",
    );
  await db.delete(plans).where(eq(plans.id, plan.id));
  return plan;
}

export interface CompanyWithPlan {
  id: string;
  name: string;
  planId: string | null;
  planName: string | null;
  assigned: boolean;
  webhooks: number;
  createdAt: Date;
}

export async function listCompaniesWithPlans(db: DbOrTx): Promise<CompanyWithPlan[]> {
  const rows = await db.execute<{
    id: string;
    name: string;
    planId: string | null;
    planName: string | null;
    assigned: boolean;
    webhooks: number;
    createdAt: string;
  }>(sql`
    select c.id, c.name, p.id as "planId", p.name as "planName", c.plan_id is not null as assigned,
      (select count(*)::int from ${webhooks} w where w.company_id = c.id) as webhooks, c.created_at as "createdAt"
    from ${companies} c left join ${plans} p on ${PLAN_OF_COMPANY}
    order by c.created_at, c.id`);
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
}

/** A company by id or by exact name (case-insensitive; an ambiguous name is refused). */
export async function findCompany(db: DbOrTx, idOrName: string): Promise<{ id: string; name: string }> {
  const rows = await db
    .select({ id: companies.id, name: companies.name })
    .from(companies)
    .where(UUID.test(idOrName) ? eq(companies.id, idOrName) : sql`lower(${companies.name}) = lower(${idOrName})`)
    .limit(2);
  if (rows.length === 0) throw new PlanError("not_found", `No company "${idOrName}"`, "company");
  if (rows.length > 1)
    throw new PlanError("invalid", `More than one company is named "${idOrName}": use its id`, "company");
  return rows[0];
}

/** Puts a company on a plan (by id or name), or back on the default plan (null). */
export async function assignPlan(db: Database, companyId: string, plan: string | null): Promise<CompanyPlan> {
  const planId = plan === null ? null : (await requirePlan(db, plan)).id;
  const updated = await db.update(companies).set({ planId }).where(eq(companies.id, companyId)).returning({
    id: companies.id,
  });
  if (updated.length === 0) throw new PlanError("not_found", "No such company", "company");
  return companyPlan(db, companyId);
}

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export interface CompanyUsage {
  /** The UTC day counted (YYYY-MM-DD); counts start again at 00:00 UTC. */
  day: string;
  plan: CompanyPlan;
  /** The company's own daily call limit (Settings → Company); null for none. The lower of it and the plan's applies. */
  companyDailyCallLimit: number | null;
  calls: { today: number; limit: number | null };
  /** Calls today per user who owns a webhook (the user a call counts for), most first. */
  users: { userId: string; name: string; email: string; calls: number; limit: number | null }[];
  webhooks: { count: number; active: number; limit: number | null };
}

/** What a company has used of its plan today. `unlimitedCompanyLimit` is the stored value that means "none". */
export async function companyUsage(
  db: DbOrTx,
  companyId: string,
  now: Date,
  unlimitedCompanyLimit: number,
): Promise<CompanyUsage> {
  const day = utcDay(now);
  const plan = await companyPlan(db, companyId);
  const [company] = await db
    .select({
      dailyCallLimit: companies.dailyCallLimit,
      webhookLimit: companies.webhookLimit,
      calls: sql<number>`coalesce((select u.calls from ${dailyUsage} u where u.company_id = ${companies.id} and u.day = ${day}), 0)`,
      webhooks: sql<number>`(select count(*)::int from ${webhooks} w where w.company_id = ${companies.id})`,
      active: sql<number>`(select count(*)::int from ${webhooks} w where w.company_id = ${companies.id} and w.active)`,
    })
    .from(companies)
    .where(eq(companies.id, companyId));
  if (!company) throw new PlanError("not_found", "No such company", "company");
  const perUser = await db
    .select({ userId: dailyUserUsage.userId, name: users.name, email: users.email, calls: dailyUserUsage.calls })
    .from(dailyUserUsage)
    .innerJoin(users, eq(users.id, dailyUserUsage.userId))
    .where(
      sql`${dailyUserUsage.companyId} = ${companyId} and ${dailyUserUsage.day} = ${day} and ${dailyUserUsage.calls} > 0`,
    )
    .orderBy(sql`${dailyUserUsage.calls} desc`, asc(users.email));
  const own = company.dailyCallLimit >= unlimitedCompanyLimit ? null : company.dailyCallLimit;
  return {
    day,
    plan,
    companyDailyCallLimit: own,
    calls: { today: Number(company.calls), limit: lowest(own, plan.callsPerDay) },
    users: perUser.map((u) => ({ ...u, limit: plan.callsPerUserPerDay })),
    webhooks: {
      count: Number(company.webhooks),
      active: Number(company.active),
      limit: lowest(company.webhookLimit, plan.maxWebhooks),
    },
  };
}

/** The lower of two limits, null meaning none. */
export function lowest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
