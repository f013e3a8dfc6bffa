import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, inject } from "vitest";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { MIGRATIONS_FOLDER } from "@/db/migrate";
import { postgresTarget } from "@/db/url";

/**
 * Migration 0014_partitioned_history on a database with history from before it: the rows move into day partitions
 * with their ids, attempts get their delivery's day and webhook, idempotency keys are made, and the history works on.
 * A database of its own on the test server (the migration renames and drops the history tables).
 */
const name = `hookrelay_upgrade_${process.pid}`;
const baseUrl = inject("databaseUrl");
const [baseTarget, baseSocket] = postgresTarget(baseUrl);
const admin = postgres(baseTarget, { ...baseSocket, max: 1, onnotice: () => {} });
const url = new URL(baseUrl);
url.pathname = `/${name}`;
const [target, socket] = postgresTarget(url.toString());
let sql: postgres.Sql | null = null;
const before = fs.mkdtempSync(path.join(os.tmpdir(), "hookrelay-migrations-"));

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end({ timeout: 5 });
  fs.rmSync(before, { recursive: true, force: true });
});

const COMPANY = "00000000-0000-4000-8000-000000000001";
const WEBHOOK = "00000000-0000-4000-8000-000000000002";

describe("migration 0014_partitioned_history", () => {
  it("moves the existing history into day partitions, keeping every id", async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    sql = postgres(target, { ...socket, max: 1, onnotice: () => {} });
    // The migrations before it.
    fs.cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    fs.rmSync(path.join(before, "0014_partitioned_history.sql"));
    const journal = JSON.parse(fs.readFileSync(path.join(before, "meta/_journal.json"), "utf8"));
    journal.entries = journal.entries.filter((e: { tag: string }) => e.tag < "0014");
    fs.writeFileSync(path.join(before, "meta/_journal.json"), JSON.stringify(journal));
    await migrate(drizzle(sql), { migrationsFolder: before });

    // 41 days of history with v4 ids: an event a day, its delivery a second later, two attempts.
    await sql.unsafe(`
      insert into companies (id, name) values ('${COMPANY}', 'Old Co');
      insert into webhooks (id, company_id, name, event_types, url, config, signing_secret_encrypted)
        values ('${WEBHOOK}', '${COMPANY}', 'w', '{deal.won}', 'https://example.com', '{}', 'x');
      insert into events (company_id, external_id, type, occurred_at, data, created_at)
        select '${COMPANY}', 'e' || i, 'deal.won', now(), '{}', now() - i * interval '1 day' from generate_series(0, 40) i;
      insert into deliveries (company_id, webhook_id, event_id, created_at, status)
        select company_id, '${WEBHOOK}', id, created_at + interval '1 second', 'success' from events;
      insert into delivery_attempts (delivery_id, company_id, attempt_number, request_method, request_url, request_headers)
        select id, company_id, n, 'POST', 'https://example.com', '{}' from deliveries, generate_series(1, 2) n;`);
    const ids = await sql`select e.id as event, d.id as delivery from events e join deliveries d on d.event_id = e.id
      order by e.created_at`;

    await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_FOLDER });

    const after = await sql`select e.id as event, d.id as delivery from events e join deliveries d on d.event_id = e.id
      order by e.created_at`;
    expect(after).toEqual(ids);
    // Every row in its day's partition, none in DEFAULT.
    const [where] = await sql`select
      (select count(*)::int from events_default) + (select count(*)::int from deliveries_default)
        + (select count(*)::int from delivery_attempts_default) as in_default,
      (select count(*)::int from deliveries d where d.tableoid::regclass::text
        <> 'deliveries_p' || to_char(d.created_at at time zone 'UTC', 'YYYYMMDD')) as misplaced,
      (select count(*)::int from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where a.delivery_created_at = d.created_at and a.webhook_id = d.webhook_id) as attempts,
      (select count(*)::int from event_keys k join events e on e.id = k.event_id and e.external_id = k.external_id) as keys,
      (select to_regclass('events_p' || to_char((now() at time zone 'UTC') + interval '14 days', 'YYYYMMDD'))::text) as ahead`;
    expect(where).toEqual({
      in_default: 0,
      misplaced: 0,
      attempts: 82,
      keys: 41,
      ahead: expect.stringMatching(/^events_p/),
    });

    // New rows get v7 ids of their own time; attempt ids go on from the old sequence.
    const [fresh] = await sql`insert into events (company_id, external_id, type, occurred_at, data)
      values (${COMPANY}, 'new', 'deal.won', now(), '{}') returning id, created_at`;
    expect(fresh.id[14]).toBe("7");
    const [attempt] = await sql`insert into delivery_attempts (delivery_id, delivery_created_at, company_id, webhook_id,
        attempt_number, request_method, request_url, request_headers)
      select id, created_at, company_id, webhook_id, 3, 'POST', 'https://example.com', '{}' from deliveries limit 1
      returning id`;
    expect(Number(attempt.id)).toBeGreaterThan(82);
    // Deleting the webhook still deletes its deliveries and attempts.
    await sql`delete from webhooks where id = ${WEBHOOK}`;
    const [left] =
      await sql`select (select count(*)::int from deliveries) as d, (select count(*)::int from delivery_attempts) as a`;
    expect(left).toEqual({ d: 0, a: 0 });
  });
});
