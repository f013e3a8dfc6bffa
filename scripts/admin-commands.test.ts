import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { eq } from "drizzle-orm";
import { companies, plans } from "@/db/schema";
import { randomToken } from "@/lib/crypto";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { HELP, parseAdminArgs, runAdmin, UsageError } from "./admin-commands";

const env = testEnvironment();
afterAll(() => env.close());

/** Runs the CLI's logic against the test database, collecting what it prints. */
async function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAdmin(async () => ({ db: env.db, close: async () => {} }), argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run admin: reading the command line", () => {
  it("reads plans with their limits; unlimited and left-out limits are null", () => {
    expect(
      parseAdminArgs([
        "plans",
        "create",
        "Pro",
        "--calls-per-day",
        "50000",
        "--calls-per-user",
        "500",
        "--max-webhooks",
        "unlimited",
        "--webhooks",
        "on",
      ]),
    ).toEqual({
      kind: "plans-create",
      fields: {
        name: "Pro",
        webhooksEnabled: true,
        callsPerDay: 50000,
        callsPerUserPerDay: 500,
        maxWebhooks: null,
        isDefault: false,
      },
    });
    expect(parseAdminArgs(["plans", "update", "Pro", "--webhooks", "off"])).toEqual({
      kind: "plans-update",
      plan: "Pro",
      fields: { webhooksEnabled: false },
    });
    expect(parseAdminArgs(["companies", "assign", "Acme", "default"])).toEqual({
      kind: "companies-assign",
      company: "Acme",
      plan: null,
    });
    expect(parseAdminArgs([])).toEqual({ kind: "help" });
    expect(parseAdminArgs(["usage", "--help"])).toEqual({ kind: "help" });
  });

  it.each([
    [["plans", "create", "X", "--calls-per-day", "lots"], '--calls-per-day must be a whole number or "unlimited"'],
    [["plans", "create", "X", "--webhooks", "maybe"], "--webhooks must be on or off"],
    [["plans", "create"], "Usage: npm run admin -- plans create <name>"],
    [["plans", "update", "X"], "plans update needs something to change"],
    [["plans", "create", "X", "--calls-per-day", "0"], "callsPerDay must be a whole number from 1"],
    [["plans", "frobnicate"], 'Unknown command "plans frobnicate"'],
    [["companies", "assign", "Acme"], "Usage: npm run admin -- companies assign <company> <plan|default>"],
    [["usage"], "Usage: npm run admin -- usage <company>"],
    [["plans", "list", "--bogus"], "Unknown option '--bogus'"],
    [["bill", "everyone"], 'Unknown command "bill"'],
  ])("%j is refused: %s", (argv, says) => {
    expect(() => parseAdminArgs(argv)).toThrow(UsageError);
    expect(() => parseAdminArgs(argv)).toThrow(says);
  });
});

describe("npm run admin against the database", () => {
  it("creates a plan, assigns a company, shows its usage, and refuses what would break", async () => {
    const name = `Starter ${randomToken(4)}`;
    const c = await makeCompany(env.deps, `CLI Co ${randomToken(4)}`);
    const [{ name: companyName }] = await env.db.select().from(companies).where(eq(companies.id, c.companyId));

    const created = await admin("plans", "create", name, "--calls-per-day", "1000", "--max-webhooks", "3");
    expect(created).toMatchObject({ code: 0, err: "" });
    expect(created.out).toContain(`Created plan ${name}`);
    expect(created.out).toContain("1,000 calls/day");
    const [row] = await env.db.select().from(plans).where(eq(plans.name, name));
    expect(row).toMatchObject({ callsPerDay: 1000, maxWebhooks: 3, callsPerUserPerDay: null, webhooksEnabled: true });

    expect(await admin("plans", "create", name.toUpperCase())).toMatchObject({
      code: 1,
      err: `A plan named "${name.toUpperCase()}" exists already`,
    });
    expect((await admin("companies", "assign", companyName, name)).out).toContain(`${companyName} is on plan ${name}`);
    expect((await admin("companies", "list")).out).toContain(
      `${companyName}  ${c.companyId}\n  plan ${name}; 0 webhooks`,
    );
    const usage = await admin("usage", c.companyId);
    expect(usage.code).toBe(0);
    expect(usage.out).toContain("0 of 1,000 calls");
    expect(usage.out).toContain("webhooks: 0 of 3 (0 on)");

    const refused = await admin("plans", "delete", name);
    expect(refused).toMatchObject({ code: 1, err: `${name} is assigned to 1 company: assign them another plan first` });
    expect(await admin("plans", "delete", "Unlimited")).toMatchObject({ code: 1 });
    expect(await admin("companies", "assign", c.companyId, "No such plan")).toMatchObject({ code: 1 });
    expect(await admin("usage", "No such company")).toMatchObject({ code: 1, err: 'No company "No such company"' });

    await admin("companies", "assign", c.companyId, "default");
    expect(await admin("plans", "delete", name)).toMatchObject({ code: 0, out: `Deleted plan ${name}` });
    expect(await env.db.select().from(plans).where(eq(plans.name, name))).toEqual([]);
  });

  it("bad input: exit 2 and the message, without touching the database", async () => {
    let connected = false;
    const err: string[] = [];
    const code = await runAdmin(
      async () => {
        connected = true;
        return { db: env.db, close: async () => {} };
      },
      ["plans", "create", "X", "--max-webhooks", "-3"],
      { out: () => {}, err: (l) => err.push(l) },
    );
    expect(code).toBe(2);
    expect(connected).toBe(false);
    expect(err.join("\n")).toContain("See npm run admin -- --help");
  });

  it("the real command: --help, a plan list from the database, and a non-zero exit on bad input", () => {
    const root = path.resolve(import.meta.dirname, "..");
    const run = (...argv: string[]) =>
      spawnSync(
        process.execPath,
        [
          "--import",
          path.join(root, "node_modules", "tsx", "dist", "loader.mjs"),
          path.join(root, "scripts", "admin.ts"),
          ...argv,
        ],
        {
          cwd: root,
          env: {
            ...process.env,
            DATABASE_URL: inject("databaseUrl"),
            HOOKRELAY_SECRET_KEY: inject("secretKey"),
            AUTH_SECRET: "admin-cli-test-secret-0123456789",
          },
          encoding: "utf8",
          timeout: 60_000,
        },
      );
    const help = run("--help");
    expect(help.status).toBe(0);
    expect(help.stdout.trim()).toBe(HELP.trim());
    const list = run("plans", "list");
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^Unlimited \(default\) {2}[0-9a-f-]{36}\n {2}webhooks on, unlimited calls\/day/m);
    const bad = run("companies", "assign");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("Usage: npm run admin -- companies assign <company> <plan|default>");
  });
});
