import { parseArgs } from "node:util";
import type { Database } from "@/db";
import {
  assignPlan,
  createPlan,
  deletePlan,
  findCompany,
  listCompaniesWithPlans,
  listPlans,
  PlanError,
  updatePlan,
  type CompanyPlan,
} from "@/db/queries/plans";
import type { Plan } from "@/db/schema";
import { usageOf } from "@/lib/plans";
import { planPatchSchema, planSchema } from "@/lib/validations/plan";

/**
 * `npm run admin -- …`: the operator's commands (plans, companies' plans, usage). Parsing is separate from
 * running so that `--help` and bad input answer without a database; scripts/admin.ts wires them to one.
 */

export const HELP = `Hookrelay operator commands (they act on the database this server uses: DATABASE_URL, or the embedded one).

  npm run admin -- plans list
  npm run admin -- plans create <name> [options]
  npm run admin -- plans update <plan> [--name <new name>] [options]
  npm run admin -- plans delete <plan>
  npm run admin -- companies list
  npm run admin -- companies assign <company> <plan|default>
  npm run admin -- usage <company>

  <plan> and <company> are an id or a name (case-insensitive). "default" puts a company back on the default plan.

Plan options (a limit left out of create is unlimited; update changes only what is given):
  --webhooks on|off            whether the plan includes webhooks (off: events are recorded, nothing is sent)
  --calls-per-day <n|unlimited>        calls a company may make a day (UTC); past it deliveries wait for the next day
  --calls-per-user <n|unlimited>       calls a day per user, counted for the user who owns the webhook
  --max-webhooks <n|unlimited>         webhooks a company may have
  --default                    make this the plan of every company without one

  -h, --help                   this text
`;

export type AdminCommand =
  | { kind: "help" }
  | { kind: "plans-list" }
  | { kind: "plans-create"; fields: ReturnType<typeof planSchema.parse> }
  | { kind: "plans-update"; plan: string; fields: ReturnType<typeof planPatchSchema.parse> }
  | { kind: "plans-delete"; plan: string }
  | { kind: "companies-list" }
  | { kind: "companies-assign"; company: string; plan: string | null }
  | { kind: "usage"; company: string };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function limitOption(name: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value.toLowerCase() === "unlimited") return null;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number or "unlimited", not "${value}"`);
  return Number(value);
}

function onOff(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "on" || value === "true") return true;
  if (value === "off" || value === "false") return false;
  throw new UsageError(`--webhooks must be on or off, not "${value}"`);
}

/** The schema's first message (each names its field or option). */
function fieldsError(error: { issues: { message: string }[] }): UsageError {
  return new UsageError(error.issues[0].message);
}

/** Reads the command line (the words after `npm run admin --`); throws a UsageError saying what is wrong. */
export function parseAdminArgs(argv: string[]): AdminCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: "boolean", short: "h" },
        name: { type: "string" },
        webhooks: { type: "string" },
        "calls-per-day": { type: "string" },
        "calls-per-user": { type: "string" },
        "max-webhooks": { type: "string" },
        default: { type: "boolean" },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { kind: "help" };
  const [area, verb, ...rest] = positionals;
  const fields = {
    webhooksEnabled: onOff(values.webhooks),
    callsPerDay: limitOption("calls-per-day", values["calls-per-day"]),
    callsPerUserPerDay: limitOption("calls-per-user", values["calls-per-user"]),
    maxWebhooks: limitOption("max-webhooks", values["max-webhooks"]),
    isDefault: values.default ? true : undefined,
  };
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const planOptionsGiven = Object.keys(defined).length > 0 || values.name !== undefined;
  const expect = (count: number, usage: string) => {
    if (rest.length !== count) throw new UsageError(`Usage: npm run admin -- ${usage}`);
  };
  const noPlanOptions = (usage: string) => {
    if (planOptionsGiven) throw new UsageError(`${usage} takes no plan options`);
  };
  if (area === "plans") {
    if (verb === "list") {
      expect(0, "plans list");
      noPlanOptions("plans list");
      return { kind: "plans-list" };
    }
    if (verb === "create") {
      expect(1, "plans create <name> [options]");
      if (values.name !== undefined) throw new UsageError("plans create takes the name as its argument, not --name");
      const result = planSchema.safeParse({ ...defined, name: rest[0] });
      if (!result.success) throw fieldsError(result.error);
      return { kind: "plans-create", fields: result.data };
    }
    if (verb === "update") {
      expect(1, "plans update <plan> [--name <new name>] [options]");
      if (!planOptionsGiven) throw new UsageError("plans update needs something to change (see --help)");
      const result = planPatchSchema.safeParse({
        ...defined,
        ...(values.name !== undefined ? { name: values.name } : {}),
      });
      if (!result.success) throw fieldsError(result.error);
      return { kind: "plans-update", plan: rest[0], fields: result.data };
    }
    if (verb === "delete") {
      expect(1, "plans delete <plan>");
      noPlanOptions("plans delete");
      return { kind: "plans-delete", plan: rest[0] };
    }
    throw new UsageError(`Unknown command "plans ${verb ?? ""}": use plans list|create|update|delete`);
  }
  if (area === "companies") {
    noPlanOptions(`companies ${verb ?? ""}`.trim());
    if (verb === "list") {
      expect(0, "companies list");
      return { kind: "companies-list" };
    }
    if (verb === "assign") {
      expect(2, "companies assign <company> <plan|default>");
      return { kind: "companies-assign", company: rest[0], plan: rest[1].toLowerCase() === "default" ? null : rest[1] };
    }
    throw new UsageError(`Unknown command "companies ${verb ?? ""}": use companies list|assign`);
  }
  if (area === "usage") {
    noPlanOptions("usage");
    if (verb === undefined || rest.length > 0) throw new UsageError("Usage: npm run admin -- usage <company>");
    return { kind: "usage", company: verb };
  }
  throw new UsageError(`Unknown command "${area}": see npm run admin -- --help`);
}

const limit = (n: number | null) => (n === null ? "unlimited" : n.toLocaleString("en-US"));

function describePlan(p: Plan | CompanyPlan): string {
  return [
    `webhooks ${p.webhooksEnabled ? "on" : "off"}`,
    `${limit(p.callsPerDay)} calls/day`,
    `${limit(p.callsPerUserPerDay)} calls/user/day`,
    `${limit(p.maxWebhooks)} webhooks`,
  ].join(", ");
}

/** Runs a command, writing what it did to `out`. A refused one throws a PlanError. */
export async function runAdminCommand(db: Database, cmd: AdminCommand, out: (line: string) => void): Promise<void> {
  switch (cmd.kind) {
    case "help":
      out(HELP);
      return;
    case "plans-list": {
      for (const p of await listPlans(db))
        out(`${p.name}${p.isDefault ? " (default)" : ""}  ${p.id}\n  ${describePlan(p)}; ${p.companies} companies`);
      return;
    }
    case "plans-create": {
      const p = await createPlan(db, cmd.fields);
      out(`Created plan ${p.name} (${p.id}): ${describePlan(p)}${p.isDefault ? "; the default plan" : ""}`);
      return;
    }
    case "plans-update": {
      const p = await updatePlan(db, cmd.plan, cmd.fields);
      out(`Updated plan ${p.name}: ${describePlan(p)}${p.isDefault ? "; the default plan" : ""}`);
      return;
    }
    case "plans-delete": {
      const p = await deletePlan(db, cmd.plan);
      out(`Deleted plan ${p.name}`);
      return;
    }
    case "companies-list": {
      for (const c of await listCompaniesWithPlans(db))
        out(
          `${c.name}  ${c.id}\n  plan ${c.planName ?? "none"}${c.assigned ? "" : " (default)"}; ${c.webhooks} webhooks`,
        );
      return;
    }
    case "companies-assign": {
      const company = await findCompany(db, cmd.company);
      const plan = await assignPlan(db, company.id, cmd.plan);
      out(`${company.name} is on plan ${plan.name}${plan.assigned ? "" : " (the default)"}: ${describePlan(plan)}`);
      return;
    }
    case "usage": {
      const company = await findCompany(db, cmd.company);
      const u = await usageOf(db, company.id);
      out(`${company.name} on plan ${u.plan.name}${u.plan.assigned ? "" : " (default)"}: ${describePlan(u.plan)}`);
      out(`  today (${u.day}, UTC): ${u.calls.today.toLocaleString("en-US")} of ${limit(u.calls.limit)} calls`);
      out(`  webhooks: ${u.webhooks.count} of ${limit(u.webhooks.limit)} (${u.webhooks.active} on)`);
      for (const user of u.users) out(`  ${user.email}: ${user.calls} of ${limit(user.limit)} calls`);
      return;
    }
  }
}

/** The whole run: 0 when done, 2 for bad input (the message says what is wrong), 1 when the database refused it. */
export async function runAdmin(
  connect: () => Promise<{ db: Database; close: () => Promise<void> }>,
  argv: string[],
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  let cmd: AdminCommand;
  try {
    cmd = parseAdminArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`${err.message}\nSee npm run admin -- --help`);
    return 2;
  }
  if (cmd.kind === "help") {
    io.out(HELP);
    return 0;
  }
  const { db, close } = await connect();
  try {
    await runAdminCommand(db, cmd, io.out);
    return 0;
  } catch (err) {
    if (err instanceof PlanError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  } finally {
    await close();
  }
}
