import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  allowPrivateTargets,
  outboundPolicy,
  appUrl,
  env,
  ENV_NAMES,
  EnvError,
  envIsSet,
  parseEnv,
  type Env,
} from "./env";

const good = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  HOOKRELAY_SECRET_KEY: "a".repeat(64),
  AUTH_SECRET: "0123456789abcdef0123",
};

/** A bad value of every variable that can have one, and what its message must say besides the name. */
const BAD: Partial<Record<keyof Env, [value: string, says: string]>> = {
  DATABASE_URL: ["mysql://x", "postgres://"],
  DATABASE_POOL_MAX: ["ten", "whole number from 1 to 1000"],
  HOOKRELAY_SECRET_KEY: ["nope", "openssl rand -hex 32"],
  AUTH_SECRET: ["short", "at least 16 characters"],
  BCRYPT_COST: ["3", "whole number from 4 to 31"],
  APP_URL: ["localhost:3000", "an http:// or https:// URL such as http://localhost:3000"],
  PORT: ["70000", "whole number from 1 to 65535"],
  HOST: ["127.0.0.1 0.0.0.0", "an address or host name"],
  TRUSTED_PROXIES: ["-1", "whole number from 0 to 100"],
  EVENTS_RATE_LIMIT: ["1e3", "whole number from 1 to 1000000"],
  RESEND_API_KEY: ["my key", "Resend API key (re_"],
  RESEND_BASE_URL: ["resend.local", "must be an http:// or https:// URL"],
  EMAIL_FROM: ["Hookrelay", "Hookrelay <notifications@example.com>"],
  HOOKRELAY_ALLOW_PRIVATE_TARGETS: ["yes", "must be 1"],
  HOOKRELAY_PRIVATE_TARGETS: ["erp.internal, 10.0.0.0/40", 'has "10.0.0.0/40", which is not a valid CIDR'],
  HOOKRELAY_OPERATOR_KEY: ["short", "at least 32 characters (openssl rand -hex 32)"],
  HOOKRELAY_METRICS_TOKEN: ["short", "at least 16 characters (openssl rand -hex 32)"],
  HOOKRELAY_WORKER_METRICS_PORT: ["70000", "whole number from 1 to 65535"],
  HOOKRELAY_WORKER_METRICS_HOST: ["local host", "address to listen on"],
  WORKER_CONCURRENCY: ["0", "whole number from 1 to 500"],
  DELIVERY_MAX_REQUESTS: [
    "1OO",
    'whole number from 1 to 10000 (delivery jobs a worker process has in hand at once; unset: 5 × WORKER_CONCURRENCY), not "1OO"',
  ],
  DELIVERY_BATCH_SIZE: ["2.5", "whole number from 1 to 1000"],
  RENDER_SANDBOX_PROCESSES: ["33", "whole number from 1 to 32"],
  RENDER_DEADLINE_MS: ["10", "whole number from 50 to 60000"],
  RENDER_HEAP_MB: ["16", "whole number from 32 to 4096"],
  HOOKRELAY_SUPERVISED: ["true", "must be 1"],
  HOOKRELAY_SKIP_BUILD: ["yes", "must be 1"],
  TEST_DATABASE_URL: ["http://db", "postgres://"],
  E2E_PORT: ["port", "whole number from 1 to 65535"],
};
/** Paths: any text is one. */
const ANY_TEXT: (keyof Env)[] = ["HOOKRELAY_DATA_DIR", "HOOKRELAY_ROOT", "CHROMIUM_PATH"];

function problemsOf(source: Record<string, string>): string {
  try {
    parseEnv(source);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as Error).message;
  }
  return expect.unreachable("parseEnv should have thrown");
}

describe("parseEnv", () => {
  it("accepts a complete environment and fills defaults", () => {
    const parsed = parseEnv(good);
    expect(parsed).toMatchObject({
      PORT: 3000,
      WORKER_CONCURRENCY: 20,
      DELIVERY_BATCH_SIZE: 50,
      EVENTS_RATE_LIMIT: 1000,
      BCRYPT_COST: 11,
      DATABASE_POOL_MAX: 10,
      TRUSTED_PROXIES: 0,
      HOST: "127.0.0.1",
    });
    expect(parsed.DELIVERY_MAX_REQUESTS).toBeUndefined();
    expect(parseEnv({ ...good, DELIVERY_MAX_REQUESTS: " 100 ", EMAIL_FROM: "ops@example.com" })).toMatchObject({
      DELIVERY_MAX_REQUESTS: 100,
      EMAIL_FROM: "ops@example.com",
    });
  });

  it("names every missing or malformed variable with how to fix it", () => {
    const message = problemsOf({ DATABASE_URL: "mysql://x", HOOKRELAY_SECRET_KEY: "nope" });
    expect(message).toContain("DATABASE_URL: DATABASE_URL must be a postgres://");
    expect(message).toContain("HOOKRELAY_SECRET_KEY");
    expect(message).toContain("openssl rand -hex 32");
    expect(message).toContain("AUTH_SECRET");
  });

  it("has every variable in README's Configuration table", () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, "..", "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## How it is built"));
    for (const name of ENV_NAMES) expect(table, name).toMatch(new RegExp(`^\\| [^|]*\`${name}\``, "m"));
  });

  it("treats empty strings as unset", () => {
    expect(() => parseEnv({ ...good, AUTH_SECRET: "" })).toThrow(/AUTH_SECRET is required/);
    expect(parseEnv({ ...good, WORKER_CONCURRENCY: "" }).WORKER_CONCURRENCY).toBe(20);
  });

  it("knows a bad value of every variable: each is refused with its name and how to fix it", () => {
    expect([...Object.keys(BAD), ...ANY_TEXT].sort()).toEqual([...ENV_NAMES].sort());
    for (const [name, [value, says]] of Object.entries(BAD)) {
      const message = problemsOf({ ...good, [name]: value });
      expect(message, name).toContain(`${name}: ${name} `);
      expect(message, name).toContain(says);
      // Only that one.
      expect(message.split("\n"), name).toHaveLength(2);
    }
  });
});

describe("env (the typed accessors)", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ENV_NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it("reads the current value on every access, not the one at import", () => {
    process.env.BCRYPT_COST = "5";
    expect(env.BCRYPT_COST).toBe(5);
    process.env.BCRYPT_COST = "6";
    expect(env.BCRYPT_COST).toBe(6);
    delete process.env.BCRYPT_COST;
    expect(env.BCRYPT_COST).toBe(11);
    process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "1";
    expect(allowPrivateTargets()).toBe(true);
    process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "0";
    expect(allowPrivateTargets()).toBe(false);
    expect(outboundPolicy()).toEqual({ allowPrivate: false, privateTargets: null });
    process.env.HOOKRELAY_PRIVATE_TARGETS = "erp.internal.example, 10.20.0.0/16";
    expect(outboundPolicy().privateTargets?.source).toBe("erp.internal.example,10.20.0.0/16");
    process.env.APP_URL = "https://hooks.example.com/";
    expect(appUrl()).toBe("https://hooks.example.com");
    delete process.env.APP_URL;
    process.env.PORT = "4000";
    expect(appUrl()).toBe("http://localhost:4000");
  });

  it("refuses a bad value where it is read, naming the variable (no NaN capacity that never fetches)", () => {
    process.env.DELIVERY_MAX_REQUESTS = "1OO";
    expect(() => env.DELIVERY_MAX_REQUESTS).toThrow(EnvError);
    expect(() => env.DELIVERY_MAX_REQUESTS).toThrow(
      /DELIVERY_MAX_REQUESTS: DELIVERY_MAX_REQUESTS must be a whole number from 1 to 10000 .*not "1OO"/,
    );
    for (const [name, [value]] of Object.entries(BAD)) {
      process.env[name] = value;
      expect(() => env[name as keyof Env], name).toThrow(new RegExp(`^Invalid environment:\\n  - ${name}: ${name} `));
    }
  });

  it("says whether a variable is set at all; a required one read while unset says what to do", () => {
    delete process.env.TEST_DATABASE_URL;
    expect(envIsSet("TEST_DATABASE_URL")).toBe(false);
    process.env.TEST_DATABASE_URL = "";
    expect(envIsSet("TEST_DATABASE_URL")).toBe(false);
    process.env.TEST_DATABASE_URL = good.DATABASE_URL;
    expect(envIsSet("TEST_DATABASE_URL")).toBe(true);
    delete process.env.AUTH_SECRET;
    expect(() => env.AUTH_SECRET).toThrow(/AUTH_SECRET is required to sign sessions \(openssl rand -base64 32\)/);
  });
});

describe("the start", () => {
  it("stops the worker before it starts, with every bad variable's message", () => {
    const root = path.resolve(import.meta.dirname, "..");
    const result = spawnSync(
      process.execPath,
      [
        "--import",
        path.join(root, "node_modules", "tsx", "dist", "loader.mjs"),
        path.join(root, "scripts", "worker.ts"),
      ],
      {
        cwd: root,
        // Nothing listens on port 1: without the check, the worker would fail on connecting instead.
        env: {
          ...process.env,
          ...good,
          DATABASE_URL: "postgres://hookrelay@127.0.0.1:1/none",
          DELIVERY_MAX_REQUESTS: "1OO",
          RENDER_HEAP_MB: "lots",
          HOOKRELAY_SUPERVISED: "1",
        },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid environment:");
    expect(result.stderr).toContain(
      "DELIVERY_MAX_REQUESTS: DELIVERY_MAX_REQUESTS must be a whole number from 1 to 10000",
    );
    expect(result.stderr).toContain(
      'RENDER_HEAP_MB: RENDER_HEAP_MB must be a whole number from 32 to 4096 (heap cap in MB of each sandbox process), not "lots"',
    );
    expect(result.stderr).not.toContain("ECONNREFUSED");
  });
});
