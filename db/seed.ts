import { and, eq, sql } from "drizzle-orm";
import type { Database, DbOrTx } from "./index";
import { apiKeys, companies, memberships, roles, users } from "./schema";

/**
 * The demo company of DESIGN.md. Idempotent: users, the company, roles and memberships are found
 * again on a second run; a new API key is printed only when the demo company has none; the demo
 * webhooks (with their history, lib/demo-webhooks.ts) are found again by name.
 */
export interface SeedDeps {
  hashPassword: (p: string) => Promise<string>;
  generateApiKey: () => { plaintext: string; prefix: string; hash: string };
  defaultRoles: { name: string; isOwner: boolean; permissions: string[] }[];
  /** Creates the demo webhooks the company lacks, in the seed's transaction; returns how many. */
  seedWebhooks?: (tx: DbOrTx, companyId: string, ownerId: string) => Promise<number>;
}

export const DEMO = {
  company: "Demo Company",
  owner: { email: "owner@example.com", name: "Olivia Owner", password: "hookrelay-demo" },
  member: { email: "member@example.com", name: "Max Member", password: "hookrelay-demo" },
};

export async function seedDemo(
  db: Database,
  deps: SeedDeps,
): Promise<{ companyId: string; apiKey: string | null; created: boolean; webhooks: number }> {
  return db.transaction(async (tx) => {
    // Serialise concurrent seeds.
    await tx.execute(sql`select pg_advisory_xact_lock(424242)`);
    const ensureUser = async (u: { email: string; name: string; password: string }) => {
      const [found] = await tx
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = ${u.email}`);
      if (found) return found;
      const [row] = await tx
        .insert(users)
        .values({ email: u.email, name: u.name, passwordHash: await deps.hashPassword(u.password) })
        .returning();
      return row;
    };
    const owner = await ensureUser(DEMO.owner);
    const member = await ensureUser(DEMO.member);

    const [existing] = await tx
      .select({ id: companies.id })
      .from(companies)
      .innerJoin(memberships, eq(memberships.companyId, companies.id))
      .where(and(eq(companies.name, DEMO.company), eq(memberships.userId, owner.id)));
    let companyId = existing?.id;
    const created = !companyId;
    if (!companyId) {
      const [company] = await tx.insert(companies).values({ name: DEMO.company }).returning();
      companyId = company.id;
      await tx.insert(roles).values(
        deps.defaultRoles.map((r) => ({
          companyId: company.id,
          name: r.name,
          isOwner: r.isOwner,
          permissions: r.permissions,
        })),
      );
    }
    const companyRoles = await tx.select().from(roles).where(eq(roles.companyId, companyId));
    const ownerRole = companyRoles.find((r) => r.isOwner)!;
    const memberRole =
      companyRoles.find((r) => r.name === "Member") ??
      companyRoles.find((r) => !r.permissions.includes("webhooks.manage") && !r.isOwner)!;
    await tx.insert(memberships).values({ companyId, userId: owner.id, roleId: ownerRole.id }).onConflictDoNothing();
    await tx.insert(memberships).values({ companyId, userId: member.id, roleId: memberRole.id }).onConflictDoNothing();

    const [anyKey] = await tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.companyId, companyId)).limit(1);
    let apiKey: string | null = null;
    if (!anyKey) {
      const key = deps.generateApiKey();
      await tx
        .insert(apiKeys)
        .values({ companyId, name: "Demo key", prefix: key.prefix, hash: key.hash, createdBy: owner.id });
      apiKey = key.plaintext;
    }
    const webhooks = deps.seedWebhooks ? await deps.seedWebhooks(tx, companyId, owner.id) : 0;
    return { companyId, apiKey, created, webhooks };
  });
}
