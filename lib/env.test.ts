import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const good = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  HOOKRELAY_SECRET_KEY: "a".repeat(64),
  AUTH_SECRET: "0123456789abcdef0123",
};

describe("parseEnv", () => {
  it("accepts a complete environment and fills defaults", () => {
    const env = parseEnv(good);
    expect(env.PORT).toBe(3000);
    expect(env.WORKER_CONCURRENCY).toBe(20);
  });

  it("names every missing or malformed variable with how to fix it", () => {
    try {
      parseEnv({ DATABASE_URL: "mysql://x", HOOKRELAY_SECRET_KEY: "nope" });
      expect.unreachable("parseEnv should have thrown");
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      const message = (err as Error).message;
      expect(message).toContain("DATABASE_URL: DATABASE_URL must be a postgres://");
      expect(message).toContain("HOOKRELAY_SECRET_KEY");
      expect(message).toContain("openssl rand -hex 32");
      expect(message).toContain("AUTH_SECRET");
    }
  });

  it("treats empty strings as unset", () => {
    expect(() => parseEnv({ ...good, AUTH_SECRET: "" })).toThrow(/AUTH_SECRET is required/);
  });
});
