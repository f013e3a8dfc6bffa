import { afterAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { companies, memberships, users } from "./schema";
import { generateApiKey } from "@/lib/api-auth";
import { hashPassword, verifyPassword } from "@/lib/passwords";
import { DEFAULT_ROLES } from "@/lib/permissions";
import { loadActor, can } from "@/lib/authz";
import { testEnvironment } from "@/tests/helpers";
import { DEMO, seedDemo } from "./seed";

const env = testEnvironment();
afterAll(() => env.close());

describe("npm run seed", () => {
  it("creates the demo company once; a second run duplicates nothing", async () => {
    const deps = { hashPassword, generateApiKey, defaultRoles: DEFAULT_ROLES };
    const first = await seedDemo(env.db, deps);
    expect(first.created).toBe(true);
    expect(first.apiKey).toMatch(/^hr_live_/);
    const second = await seedDemo(env.db, deps);
    expect(second).toEqual({ companyId: first.companyId, apiKey: null, created: false });

    const demoCompanies = await env.db.select().from(companies).where(eq(companies.name, DEMO.company));
    expect(demoCompanies).toHaveLength(1);
    const owners = await env.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${DEMO.owner.email}`);
    expect(owners).toHaveLength(1);
    expect(await verifyPassword(DEMO.owner.password, owners[0].passwordHash)).toBe(true);
    expect(await env.db.select().from(memberships).where(eq(memberships.companyId, first.companyId))).toHaveLength(2);

    const [member] = await env.db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${DEMO.member.email}`);
    const actor = await loadActor(env.db, member.id, first.companyId);
    expect(can(actor!, "webhooks.manage")).toBe(false);
  });
});
