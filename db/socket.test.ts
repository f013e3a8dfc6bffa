import { describe, expect, inject, it } from "vitest";
import { PgBoss } from "pg-boss";
import { createDb, jsonParam, postgresTarget } from "@/db";

const url = inject("databaseUrl");

describe("the embedded server's URL", () => {
  it("moves a socket directory in ?host= to postgres.js's host option and leaves other URLs alone", () => {
    expect(postgresTarget("postgres://u:p@127.0.0.1:5433/db?host=%2Ftmp")).toEqual([
      "postgres://u:p@127.0.0.1:5433/db",
      { host: "/tmp" },
    ]);
    expect(postgresTarget("postgres://u:p@db.example.com:5432/db?sslmode=require")).toEqual([
      "postgres://u:p@db.example.com:5432/db?sslmode=require",
      {},
    ]);
  });

  it.skipIf(Boolean(process.env.TEST_DATABASE_URL))(
    "connects the app's client and pg-boss over the Unix socket (no client address), not TCP",
    async () => {
      const { client } = createDb(url, 1);
      const boss = new PgBoss({ connectionString: url, max: 1, supervise: false, schedule: false, migrate: false });
      await boss.start();
      try {
        const [viaApp] = await client<{ addr: string | null }[]>`select host(inet_client_addr()) as addr`;
        expect(viaApp.addr).toBeNull();
        const { rows } = await boss.getDb().executeSql("select host(inet_client_addr()) as addr");
        expect(rows[0].addr).toBeNull();
        // The same query over TCP does have one: the check can tell the two apart.
        const tcp = createDb(url.replace(/\?.*$/, ""), 1);
        const [viaTcp] = await tcp.client<{ addr: string | null }[]>`select host(inet_client_addr()) as addr`;
        expect(viaTcp.addr).toBe("127.0.0.1");
        await tcp.client.end();
      } finally {
        await boss.stop({ graceful: false });
        await client.end();
      }
    },
  );
});

describe("jsonParam", () => {
  it("passes a string cut in the middle of an emoji (a lone surrogate) to jsonb with U+FFFD, where plain JSON is refused", async () => {
    const { client } = createDb(url, 1);
    try {
      const value = { message: `cut here: ${"😀".slice(0, 1)}`, whole: "😀 stays", nested: ["x\uDE00"] };
      const [row] = await client.unsafe<{ v: { message: string; whole: string; nested: string[] } }[]>(
        "select $1::jsonb as v",
        [jsonParam(value)],
      );
      expect(row.v).toEqual({ message: "cut here: \uFFFD", whole: "😀 stays", nested: ["x\uFFFD"] });
      await expect(client.unsafe("select $1::jsonb as v", [JSON.stringify(value)])).rejects.toThrow(
        /invalid input syntax for type json|surrogate/i,
      );
    } finally {
      await client.end();
    }
  });
});
