import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, createDb } from "@/db";
import { failuresOf } from "@/db/queries/accounts";
import { stopWebBoss } from "@/jobs/boss";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { GET as getWebhooks } from "@/app/api/v1/webhooks/route";
import {
  accountKey,
  addressKey,
  API_KEY_FAILURE_BURST,
  authorizeCredentials,
  REFUSE_AFTER_FAILURES,
  SIGN_IN_WINDOW_SECONDS,
  SLOW_AFTER_FAILURES,
} from "@/lib/account-security";
import { keyFor } from "@/tests/api";
import { makeCompany, testEnvironment, uniqueEmail } from "@/tests/helpers";

/**
 * Issue 13 item 6. Before: sign-in took any number of guesses at full speed, and an invalid API key
 * was a plain 401 however many came from one address. Now failures are counted in PostgreSQL per
 * account and per client address over 15 minutes: from the 10th each answer waits longer, from the
 * 20th sign-in is refused (the password is not even looked at) with a message that says when to try
 * again; API-key failures from one address past a burst get 429 with Retry-After.
 */
const env = testEnvironment();
let email: string;
const PASSWORD = "correct-horse-9";

beforeAll(async () => {
  const company = await makeCompany(env.deps, "Throttle Co");
  email = company.ownerEmail;
});

afterAll(async () => {
  await stopWebBoss();
  await closeDb();
  await env.close();
});

/** Signs in from `address`, recording the slowdowns asked for instead of waiting them out. */
async function attempt(who: string, password: string, address: string, db = env.db) {
  const pauses: number[] = [];
  const outcome = await authorizeCredentials(db, { email: who, password }, address, async (ms) => void pauses.push(ms));
  return { outcome, pauses };
}

describe("sign-in throttling", () => {
  it("slows down from the 10th failure and refuses from the 20th, even the right password", async () => {
    const address = "198.51.100.10";
    const pauses: number[] = [];
    for (let i = 0; i < REFUSE_AFTER_FAILURES; i++) {
      const r = await attempt(email, "wrong-password-1", address);
      expect(r.outcome).toEqual({ ok: false, reason: "invalid" });
      pauses.push(r.pauses[0] ?? 0);
    }
    // Answers 1–10 came at once; the 11th waited 1 s, then 2, 3, 4, 5, 5 … seconds.
    expect(pauses.slice(0, SLOW_AFTER_FAILURES)).toEqual(Array(SLOW_AFTER_FAILURES).fill(0));
    expect(pauses.slice(SLOW_AFTER_FAILURES)).toEqual([1000, 2000, 3000, 4000, 5000, 5000, 5000, 5000, 5000, 5000]);

    const refused = await attempt(email, PASSWORD, address);
    expect(refused.outcome).toMatchObject({ ok: false, reason: "throttled" });
    const retry = (refused.outcome as { retryAfterSeconds: number }).retryAfterSeconds;
    expect(retry).toBeGreaterThan(SIGN_IN_WINDOW_SECONDS - 120);
    expect(retry).toBeLessThanOrEqual(SIGN_IN_WINDOW_SECONDS);

    // Per account: another address does not help …
    expect((await attempt(email, PASSWORD, "203.0.113.77")).outcome).toMatchObject({ ok: false, reason: "throttled" });
    // … and per address: another account from the same address is refused too.
    const other = await makeCompany(env.deps, "Neighbour Co");
    expect((await attempt(other.ownerEmail, PASSWORD, address)).outcome).toMatchObject({
      ok: false,
      reason: "throttled",
    });
    // Another account from another address signs in as usual.
    expect((await attempt(other.ownerEmail, PASSWORD, "203.0.113.78")).outcome).toMatchObject({ ok: true });
  });

  it("holds across processes: the count lives in PostgreSQL", async () => {
    const company = await makeCompany(env.deps, "Many Webs Co");
    const second = createDb(process.env.DATABASE_URL!, 2);
    try {
      for (let i = 0; i < REFUSE_AFTER_FAILURES; i++) {
        // Alternate between two connection pools, as two web processes would.
        await attempt(company.ownerEmail, "wrong-password-1", `192.0.2.${i}`, i % 2 ? second.db : env.db);
      }
      expect((await attempt(company.ownerEmail, PASSWORD, "192.0.2.200", second.db)).outcome).toMatchObject({
        ok: false,
        reason: "throttled",
      });
    } finally {
      await second.client.end({ timeout: 5 });
    }
  });

  it("counts unknown addresses like known ones, so throttling does not reveal which accounts exist", async () => {
    const nobody = uniqueEmail("nobody");
    for (let i = 0; i < REFUSE_AFTER_FAILURES; i++)
      expect((await attempt(nobody, "wrong-password-1", `192.0.2.${100 + i}`)).outcome).toEqual({
        ok: false,
        reason: "invalid",
      });
    expect((await attempt(nobody, "wrong-password-1", "192.0.2.250")).outcome).toMatchObject({
      ok: false,
      reason: "throttled",
    });
  });

  it("a successful sign-in clears its account's count, not its address's", async () => {
    const company = await makeCompany(env.deps, "Typo Co");
    const address = "192.0.2.251";
    for (let i = 0; i < 5; i++) await attempt(company.ownerEmail, "wrong-password-1", address);
    expect(await failuresOf(env.db, [accountKey(company.ownerEmail)], SIGN_IN_WINDOW_SECONDS)).toEqual([
      expect.objectContaining({ count: 5 }),
    ]);
    expect((await attempt(company.ownerEmail, PASSWORD, address)).outcome).toMatchObject({ ok: true });
    expect(await failuresOf(env.db, [accountKey(company.ownerEmail)], SIGN_IN_WINDOW_SECONDS)).toEqual([]);
    expect(await failuresOf(env.db, [addressKey(address)], SIGN_IN_WINDOW_SECONDS)).toEqual([
      expect.objectContaining({ count: 5 }),
    ]);
  });
});

describe("API-key failures", () => {
  it("get 429 with Retry-After after a burst from one address; other addresses and good keys are unaffected", async () => {
    const company = await makeCompany(env.deps, "Key Guess Co");
    const good = await keyFor(env.deps, company.owner, "good");
    const from = (address: string, key: string) => ({
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      "x-hookrelay-client": address,
    });
    const guess = (address: string) =>
      postEvents(
        new Request("http://localhost/api/v1/events", {
          method: "POST",
          headers: from(address, `hr_live_guess${Math.random()}`),
          body: "{}",
        }),
      );

    const statuses: number[] = [];
    for (let i = 0; i < API_KEY_FAILURE_BURST + 3; i++) statuses.push((await guess("198.51.100.99")).status);
    expect(statuses.slice(0, API_KEY_FAILURE_BURST)).toEqual(Array(API_KEY_FAILURE_BURST).fill(401));
    expect(statuses.slice(API_KEY_FAILURE_BURST)).toEqual([429, 429, 429]);
    const limited = await guess("198.51.100.99");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited.json()).error).toMatchObject({
      code: "rate_limited",
      field: "authorization",
      message: expect.stringMatching(/Too many requests with a missing or invalid API key/),
    });
    // The management API counts against the same address.
    expect(
      (
        await getWebhooks(
          new Request("http://localhost/api/v1/webhooks", { headers: from("198.51.100.99", "hr_live_nope") }),
        )
      ).status,
    ).toBe(429);

    expect((await guess("198.51.100.100")).status).toBe(401);
    const ok = await getWebhooks(
      new Request("http://localhost/api/v1/webhooks", { headers: from("198.51.100.101", good) }),
    );
    expect(ok.status).toBe(200);
  });
});
