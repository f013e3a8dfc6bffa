import { inject } from "vitest";
import { PgBoss } from "pg-boss";
import { eq } from "drizzle-orm";
import { createDb, type Database } from "@/db";
import { memberships, roles } from "@/db/schema";
import type { ActionDeps, Caller } from "@/lib/action";
import { signUp } from "@/lib/actions/account";
import { createBoss } from "@/jobs/boss";
import { randomToken } from "@/lib/crypto";

/** Sets up this test file's database handle and a started pg-boss sender, like the web process has. */
export function testEnvironment() {
  process.env.DATABASE_URL = inject("databaseUrl");
  process.env.HOOKRELAY_SECRET_KEY = inject("secretKey");
  process.env.BCRYPT_COST = "4";
  const { client, db } = createDb(inject("databaseUrl"), 5);
  let boss: PgBoss | null = null;
  const deps: ActionDeps = {
    db,
    boss: async () => {
      if (!boss) {
        boss = createBoss(inject("databaseUrl"), { role: "worker" });
        await boss.start();
      }
      return boss;
    },
  };
  return {
    db,
    deps,
    async close() {
      if (boss) await (boss as PgBoss).stop({ graceful: false });
      await client.end({ timeout: 5 });
    },
  };
}

export function uniqueEmail(label = "user"): string {
  return `${label}-${randomToken(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "x")}@example.test`;
}

/** A new company with its owner; returns the owner's caller and the company's roles by name. */
export async function makeCompany(deps: ActionDeps, name = "Acme") {
  const email = uniqueEmail("owner");
  const res = await signUp.run(
    deps,
    { userId: null },
    { name: "Olivia Owner", email, password: "correct-horse-9", companyName: name },
  );
  if (!res.ok) throw new Error(`signUp failed: ${res.error}`);
  const companyRoles = await deps.db.select().from(roles).where(eq(roles.companyId, res.data.companyId));
  const roleByName = Object.fromEntries(companyRoles.map((r) => [r.name, r])) as Record<
    string,
    (typeof companyRoles)[number]
  >;
  const owner: Caller = { userId: res.data.userId, companyId: res.data.companyId };
  return { companyId: res.data.companyId, owner, ownerEmail: email, roles: roleByName };
}

/** Adds a member directly (as an accepted invitation would) with the given role. */
export async function addMember(db: Database, companyId: string, roleId: string) {
  const { users } = await import("@/db/schema");
  const [user] = await db
    .insert(users)
    .values({ email: uniqueEmail("member"), name: "Mo Member", passwordHash: "x" })
    .returning();
  const [m] = await db.insert(memberships).values({ companyId, userId: user.id, roleId }).returning();
  const caller: Caller = { userId: user.id, companyId };
  return { user, membershipId: m.id, caller };
}
