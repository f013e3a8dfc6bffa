import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { testEnvironment } from "@/tests/helpers";
import { deliverWebhook, enqueue, enqueueMany, JOBS, passwordReset, sendEmail } from ".";

const env = testEnvironment();
afterAll(() => env.close());

const ROOT = path.resolve(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  return [...fs.readFileSync(file, "utf8").matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
}

async function jobRows(name: string, marker: string) {
  return env.db.execute<{ data: Record<string, unknown>; priority: number; group_id: string | null }>(
    sql`select data, priority, group_id from pgboss.job where name = ${name} and data::text like ${`%${marker}%`}`,
  );
}

describe("the job registry", () => {
  it("lists each job once, under the name of its file", () => {
    const names = JOBS.map((j) => j.name);
    expect(new Set(names).size).toBe(names.length);
    const files = fs
      .readdirSync(import.meta.dirname)
      .filter(
        (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !["index.ts", "define.ts", "enqueue.ts"].includes(f),
      );
    expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual([...names].sort());
  });

  it("creates every queue with its definition's options", async () => {
    const boss = await env.deps.boss();
    for (const job of JOBS)
      expect(await boss.getQueue(job.name), job.name).toMatchObject({ name: job.name, ...job.queue });
  });

  it("keeps the definitions a leaf: they import nothing from lib/, and lib/ imports from jobs/ only them (and getBoss)", () => {
    for (const file of sourceFiles(import.meta.dirname)) {
      for (const from of importsOf(file))
        expect(from, path.relative(ROOT, file)).toMatch(/^(zod|pg-boss|\.\/[a-z-]+|@\/db)$/);
    }
    for (const file of [...sourceFiles(path.join(ROOT, "lib")), ...sourceFiles(path.join(ROOT, "db"))]) {
      for (const from of importsOf(file).filter((f) => f.startsWith("@/jobs")))
        expect(from, path.relative(ROOT, file)).toMatch(/^@\/jobs\/(definitions(\/[a-z-]+)?|boss)$/);
    }
  });
});

describe("enqueue", () => {
  it("refuses a payload its job's schema refuses, naming the job and the field, and queues nothing", async () => {
    const boss = await env.deps.boss();
    const marker = `bad-${Date.now()}`;
    await expect(enqueue(boss, env.db, sendEmail, { notificationId: 7, marker } as never)).rejects.toThrow(
      /send-email: the payload does not match its schema[\s\S]*notificationId/,
    );
    await expect(
      enqueueMany(boss, env.db, deliverWebhook, [{ data: { deliveryId: marker, manual: { userId: 7 } } as never }]),
    ).rejects.toThrow(/deliver-webhook[\s\S]*manual\.userId/);
    expect(await jobRows(sendEmail.name, marker)).toHaveLength(0);
    expect(await jobRows(deliverWebhook.name, marker)).toHaveLength(0);
  });

  it("queues in the caller's transaction: the job exists only once it commits, with what its schema reads", async () => {
    const boss = await env.deps.boss();
    const marker = `tx-${Date.now()}@example.test`;
    await env.db
      .transaction(async (tx) => {
        await enqueue(boss, tx, passwordReset, { email: marker });
        throw new Error("rolled back");
      })
      .catch(() => {});
    expect(await jobRows(passwordReset.name, marker)).toHaveLength(0);
    await env.db.transaction(async (tx) => {
      await enqueue(boss, tx, passwordReset, { email: marker, extra: "dropped" } as never);
    });
    const rows = await jobRows(passwordReset.name, marker);
    expect(rows.map((r) => r.data)).toEqual([{ email: marker }]);
    await env.db.execute(sql`delete from pgboss.job where name = ${passwordReset.name} and data->>'email' = ${marker}`);
  });

  it("queues many at once with their options (the intake's fan-out)", async () => {
    const boss = await env.deps.boss();
    const marker = `many-${Date.now()}`;
    // Due in an hour: no worker of another test file takes them meanwhile.
    const startAfter = new Date(Date.now() + 3_600_000);
    await enqueueMany(boss, env.db, deliverWebhook, [
      { data: { deliveryId: `${marker}-1` }, startAfter, priority: -1, group: { id: marker, tier: "c3" } },
      { data: { deliveryId: `${marker}-2` }, startAfter },
    ]);
    const rows = (await jobRows(deliverWebhook.name, marker)).sort((a, b) =>
      String(a.data.deliveryId).localeCompare(String(b.data.deliveryId)),
    );
    expect(rows).toMatchObject([
      { data: { deliveryId: `${marker}-1` }, priority: -1, group_id: marker },
      { data: { deliveryId: `${marker}-2` }, priority: 0, group_id: null },
    ]);
    await env.db.execute(
      sql`delete from pgboss.job where name = ${deliverWebhook.name} and data::text like ${`%${marker}%`}`,
    );
  });
});
