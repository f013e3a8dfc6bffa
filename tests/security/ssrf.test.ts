import dns from "node:dns";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { eq } from "drizzle-orm";
import { deliveries, deliveryAttempts, events, oauthCredentials, type OAuthCredential } from "@/db/schema";
import { deliverWebhook } from "@/jobs/deliver-webhook";
import { closeSafeDispatchers, guardedLookup, sendSafely } from "@/lib/delivery/http-client";
import { exchangeAuthorizationCode, OAuthTokenError, requestToken } from "@/lib/delivery/oauth";
import { isPublicAddress } from "@/lib/delivery/ssrf";
import { testWebhook } from "@/lib/delivery/test-webhook";
import { insertWebhook } from "@/lib/webhooks";
import { makeCompany, testEnvironment } from "@/tests/helpers";
import { startReceiver } from "@/tests/receiver";

/**
 * Issue 7 item 5: the SSRF guard with private targets NOT allowed, through all three doors —
 * a delivery (the worker's handler), Test (unsaved form values) and an OAuth token request (also Connect's code
 * exchange) —
 * for DNS answers that mix a public and a private address, AAAA-only names resolving to private
 * IPv6, NAT64 64:ff9b::/96 carrying a private IPv4, 0.0.0.0, IPv4-mapped IPv6, decimal / octal /
 * hex IPv4 spellings, and a public receiver redirecting http→https to a private address.
 *
 * DNS is injected by replacing `dns.lookup` (what the guarded lookup asks) for `*.ssrf.test`
 * names only. The network is fenced: every connection the process opens is checked, and one
 * that would reach anything but loopback fails here even if the guard under test broke.
 */
process.env.HOOKRELAY_ALLOW_PRIVATE_TARGETS = "0";
const env = testEnvironment();

// ---------------------------------------------------------------------------------------------
// Injected DNS: name → answers (in the order a resolver would return them).

type Answer = { address: string; family: 4 | 6 };
const ZONE: Record<string, Answer[]> = {
  "public-then-private.ssrf.test": [
    { address: "93.184.216.34", family: 4 },
    { address: "10.0.0.5", family: 4 },
  ],
  "public-then-metadata.ssrf.test": [
    { address: "8.8.8.8", family: 4 },
    { address: "169.254.169.254", family: 4 },
  ],
  "public-v6-then-loopback.ssrf.test": [
    { address: "2606:4700:4700::1111", family: 6 },
    { address: "127.0.0.1", family: 4 },
  ],
  "public-v4-then-ula.ssrf.test": [
    { address: "1.1.1.1", family: 4 },
    { address: "fd00::1", family: 6 },
  ],
  "aaaa-only-loopback.ssrf.test": [{ address: "::1", family: 6 }],
  "aaaa-only-ula.ssrf.test": [{ address: "fd12:3456:789a::1", family: 6 }],
  "aaaa-only-link-local.ssrf.test": [{ address: "fe80::1", family: 6 }],
  "aaaa-only-mapped.ssrf.test": [{ address: "::ffff:10.0.0.1", family: 6 }],
  "aaaa-only-nat64-private.ssrf.test": [{ address: "64:ff9b::a00:1", family: 6 }],
  "aaaa-only-nat64-metadata.ssrf.test": [{ address: "64:ff9b::a9fe:a9fe", family: 6 }],
  "aaaa-only-translated.ssrf.test": [{ address: "::ffff:0:a00:1", family: 6 }],
  "zero.ssrf.test": [{ address: "0.0.0.0", family: 4 }],
  "v6-unspecified.ssrf.test": [{ address: "::", family: 6 }],
};
/** A name the (fake) DNS says is public, but whose socket the test fence sends to the local receiver. */
const PUBLIC_RECEIVER = "public-receiver.ssrf.test";
const PUBLIC_RECEIVER_ADDRESS = "93.184.216.34";

const realLookup = dns.lookup;
const lookups: string[] = [];
function fakeLookup(hostname: string, options: unknown, callback?: unknown) {
  const cb = (typeof options === "function" ? options : callback) as (
    err: Error | null,
    a?: unknown,
    f?: number,
  ) => void;
  const opts = (typeof options === "object" && options !== null ? options : {}) as { all?: boolean };
  if (!hostname.endsWith(".ssrf.test")) return (realLookup as (...a: unknown[]) => void)(hostname, options, callback);
  lookups.push(hostname);
  const answers =
    hostname === PUBLIC_RECEIVER ? [{ address: PUBLIC_RECEIVER_ADDRESS, family: 4 as const }] : ZONE[hostname];
  if (!answers) {
    const e: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    e.code = "ENOTFOUND";
    return process.nextTick(() => cb(e));
  }
  process.nextTick(() => (opts.all ? cb(null, answers) : cb(null, answers[0].address, answers[0].family)));
}

// ---------------------------------------------------------------------------------------------
// The fence: every net.connect is recorded; literal non-loopback IPs are refused; a name's
// resolved addresses must be loopback, except PUBLIC_RECEIVER's, whose approved public answer is
// swapped for 127.0.0.1 AFTER the guard has judged it (so the guard sees a public address).

const connectCalls: string[] = [];
const realConnect = net.connect;
const LOOPBACK = new Set(["127.0.0.1", "::1"]);

function fencedLookup(host: string, inner: net.LookupFunction | undefined): net.LookupFunction {
  const base: net.LookupFunction = inner ?? (dns.lookup as unknown as net.LookupFunction);
  return (hostname, options, callback) => {
    base(
      hostname,
      options,
      (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => {
        if (err) return callback(err, "", 0);
        const list = Array.isArray(address) ? address : [{ address, family: family ?? 4 }];
        const swapped = host === PUBLIC_RECEIVER ? list.map(() => ({ address: "127.0.0.1", family: 4 })) : list;
        const bad = swapped.find((a) => !LOOPBACK.has(a.address));
        if (bad) return callback(new Error(`test fence: refused to connect to ${host} at ${bad.address}`), "", 0);
        if (options.all) return callback(null, swapped);
        callback(null, swapped[0].address, swapped[0].family);
      },
    );
  };
}

beforeAll(() => {
  vi.spyOn(dns, "lookup").mockImplementation(fakeLookup as unknown as typeof dns.lookup);
  (net as { connect: unknown }).connect = function (this: unknown, ...args: unknown[]) {
    const opts = args[0];
    if (typeof opts !== "object" || opts === null || !("host" in opts))
      throw new Error(`test fence: unexpected net.connect(${String(opts)})`);
    const o = opts as net.TcpNetConnectOpts;
    const host = String(o.host);
    connectCalls.push(host);
    const bare = host.replace(/^\[|\]$/g, "");
    if (net.isIP(bare) !== 0 && !LOOPBACK.has(bare)) throw new Error(`test fence: refused to connect to ${host}`);
    const fenced = net.isIP(bare) === 0 ? { ...o, lookup: fencedLookup(host, o.lookup) } : o;
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, [fenced, ...args.slice(1)]);
  };
});

afterAll(async () => {
  (net as { connect: unknown }).connect = realConnect;
  vi.restoreAllMocks();
  await closeSafeDispatchers();
  await env.close();
});

afterEach(() => {
  // Nothing, ever, reached an address that is not loopback.
  for (const h of connectCalls)
    expect(net.isIP(h.replace(/^\[|\]$/g, "")) === 0 || LOOPBACK.has(h.replace(/^\[|\]$/g, "")), h).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// The three doors.

let company: Awaited<ReturnType<typeof makeCompany>>;
beforeAll(async () => {
  company = await makeCompany(env.deps, "SSRF Security Co");
});

interface Verdict {
  blocked: boolean;
  status: number | null;
  detail: string;
}

async function viaDelivery(url: string): Promise<Verdict> {
  const { webhook } = await insertWebhook(env.db, company.companyId, company.owner.userId, {
    name: url.slice(0, 100),
    active: true,
    eventType: "contact.created",
    url,
    retryPolicy: { type: "preset", preset: "none" },
    notifyOnFailure: false,
  });
  const [event] = await env.db
    .insert(events)
    .values({
      companyId: company.companyId,
      externalId: `ssrf-${Math.random()}`,
      type: "contact.created",
      recordId: "c1",
      occurredAt: new Date(),
      data: { id: "c1" },
    })
    .returning();
  const [delivery] = await env.db
    .insert(deliveries)
    .values({ companyId: company.companyId, webhookId: webhook.id, eventId: event.id })
    .returning();
  await deliverWebhook(env.db, await env.deps.boss(), { deliveryId: delivery.id });
  const [after] = await env.db.select().from(deliveries).where(eq(deliveries.id, delivery.id));
  const [attempt] = await env.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, delivery.id));
  expect(after.status).toBe("failed");
  return {
    blocked: attempt.errorKind === "blocked_address",
    status: attempt.responseStatus,
    detail: `${attempt.errorKind}: ${attempt.errorMessage}`,
  };
}

async function viaTest(url: string): Promise<Verdict> {
  const result = await testWebhook(
    env.db,
    company.companyId,
    { name: "Unsaved", eventType: "contact.created", url },
    { allowPrivate: false },
  );
  if (!result.ok) throw new Error(`Test refused the form: ${JSON.stringify(result.fieldErrors)}`);
  return {
    blocked: result.error?.kind === "blocked_address",
    status: result.response?.status ?? null,
    detail: `${result.error?.kind}: ${result.error?.message}`,
  };
}

function credential(tokenUrl: string): OAuthCredential {
  return {
    id: "00000000-0000-4000-8000-000000000000",
    companyId: company.companyId,
    name: "Token",
    tokenUrl,
    method: "POST",
    parameters: [
      { name: "client_id", value: "hookrelay", in: "body", secret: false },
      { name: "grant_type", value: "client_credentials", in: "body", secret: false },
    ],
    accessTokenEncrypted: null,
    refreshTokenEncrypted: null,
    tokenExpiresAt: null,
    lastError: null,
    lastErrorAt: null,
    grantType: "custom",
    authorizeUrl: null,
    clientId: null,
    clientSecretEncrypted: null,
    scopes: "",
    pkce: true,
    connectedAt: null,
    connectedBy: null,
    needsReconnectAt: null,
    needsReconnectReason: null,
    createdBy: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

async function viaOAuth(url: string, exchange = false): Promise<Verdict> {
  try {
    if (exchange)
      // Connect's code exchange (authorization code) goes through the same guard.
      await exchangeAuthorizationCode(
        {
          ...credential(url),
          grantType: "authorization_code",
          authorizeUrl: "https://auth.example.com/authorize",
          clientId: "hookrelay",
          parameters: [],
        },
        {
          code: "code-from-provider",
          redirectUri: "https://hookrelay.example.com/api/oauth/callback",
          codeVerifier: null,
        },
      );
    else await requestToken(credential(url), { timeoutMs: 5_000 });
  } catch (err) {
    if (!(err instanceof OAuthTokenError)) throw err;
    const status = /answered (\d{3})/.exec(err.message);
    return {
      blocked: /blocked_address/.test(err.message),
      status: status ? Number(status[1]) : null,
      detail: err.message,
    };
  }
  return { blocked: false, status: 200, detail: "a token was issued" };
}

const DOORS = {
  delivery: viaDelivery,
  test: viaTest,
  oauth: (url: string) => viaOAuth(url),
  oauthCodeExchange: (url: string) => viaOAuth(url, true),
} as const;

// ---------------------------------------------------------------------------------------------

const PORT = 9; // never listened on; with a working guard nothing connects anyway

const DNS_CASES: [string, string][] = [
  ["public address first, private second", "public-then-private.ssrf.test"],
  ["public address first, cloud metadata second", "public-then-metadata.ssrf.test"],
  ["public IPv6 first, loopback IPv4 second", "public-v6-then-loopback.ssrf.test"],
  ["public IPv4 first, unique-local IPv6 second", "public-v4-then-ula.ssrf.test"],
  ["AAAA-only: ::1", "aaaa-only-loopback.ssrf.test"],
  ["AAAA-only: unique-local fd12::", "aaaa-only-ula.ssrf.test"],
  ["AAAA-only: link-local fe80::1", "aaaa-only-link-local.ssrf.test"],
  ["AAAA-only: IPv4-mapped ::ffff:10.0.0.1", "aaaa-only-mapped.ssrf.test"],
  ["AAAA-only: NAT64 64:ff9b::a00:1 (10.0.0.1)", "aaaa-only-nat64-private.ssrf.test"],
  ["AAAA-only: NAT64 64:ff9b::a9fe:a9fe (169.254.169.254)", "aaaa-only-nat64-metadata.ssrf.test"],
  [
    "AAAA-only: IPv4-translated ::ffff:0:a00:1 (threw inside the DNS callback before)",
    "aaaa-only-translated.ssrf.test",
  ],
  ["A 0.0.0.0", "zero.ssrf.test"],
  ["AAAA ::", "v6-unspecified.ssrf.test"],
];

const LITERAL_CASES: [string, string][] = [
  ["0.0.0.0", "0.0.0.0"],
  ["0 (a single zero)", "0"],
  ["0x0", "0x0"],
  ["[::]", "[::]"],
  ["NAT64 of 10.0.0.1", "[64:ff9b::a00:1]"],
  ["NAT64 of 127.0.0.1, dotted", "[64:ff9b::127.0.0.1]"],
  ["NAT64 of metadata", "[64:ff9b::a9fe:a9fe]"],
  ["local-use NAT64 64:ff9b:1::/48", "[64:ff9b:1::a00:1]"],
  ["IPv4-mapped loopback, dotted", "[::ffff:127.0.0.1]"],
  ["IPv4-mapped loopback, hex", "[::ffff:7f00:1]"],
  ["IPv4-mapped private", "[::ffff:10.0.0.1]"],
  ["IPv4-mapped metadata, long form", "[0:0:0:0:0:ffff:a9fe:a9fe]"],
  ["IPv4-mapped 0.0.0.0", "[::ffff:0.0.0.0]"],
  ["IPv4-translated ::ffff:0:a00:1", "[::ffff:0:a00:1]"],
  ["decimal 127.0.0.1", "2130706433"],
  ["decimal 10.0.0.1", "167772161"],
  ["decimal 192.168.1.1", "3232235777"],
  ["hex 127.0.0.1", "0x7f000001"],
  ["hex metadata", "0xa9fea9fe"],
  ["hex dotted", "0x7f.0x0.0x0.0x1"],
  ["octal 127.0.0.1, dotted", "0177.0.0.1"],
  ["octal metadata, dotted", "0251.0376.0251.0376"],
  ["octal whole 127.0.0.1", "017700000001"],
  ["short 127.1", "127.1"],
  ["short 10.1", "10.1"],
  ["mixed 0x7f.1", "0x7f.1"],
  ["trailing dot 127.0.0.1.", "127.0.0.1."],
  ["percent-encoded 127.0.0.1", "%31%32%37.0.0.1"],
  ["full-width digits １２７.０.０.１", "１２７.０.０.１"],
];

describe.each(Object.entries(DOORS))("SSRF through %s (private targets not allowed)", (_door, call) => {
  it.each(DNS_CASES)("DNS: %s → refused", async (_label, host) => {
    const before = connectCalls.length;
    const verdict = await call(`http://${host}:${PORT}/hook`);
    expect(verdict.blocked, verdict.detail).toBe(true);
    expect(verdict.status).toBeNull();
    expect(lookups).toContain(host);
    // The only connection attempted is to the name, whose lookup the guard refused.
    expect(connectCalls.slice(before).every((h) => h === host)).toBe(true);
  });

  it.each(LITERAL_CASES)("literal host %s → refused before any socket", async (_label, host) => {
    const before = connectCalls.length;
    const verdict = await call(`http://${host}:${PORT}/hook`);
    expect(verdict.blocked, verdict.detail).toBe(true);
    expect(verdict.status).toBeNull();
    expect(connectCalls.length).toBe(before);
  });

  it("a public receiver redirecting http→https to a private address: the 3xx is the answer, nothing is followed", async () => {
    for (const location of [
      "https://169.254.169.254/latest/meta-data/",
      "https://10.0.0.1/",
      "https://aaaa-only-loopback.ssrf.test/",
      `https://${PUBLIC_RECEIVER}/elsewhere`,
    ]) {
      const receiver = await startReceiver(() => ({ status: 301, headers: { location } }));
      try {
        const port = new URL(receiver.url).port;
        const before = connectCalls.length;
        const lookupsBefore = lookups.length;
        const verdict = await call(`http://${PUBLIC_RECEIVER}:${port}/hook`);
        expect(verdict.blocked, verdict.detail).toBe(false);
        expect(verdict.status, verdict.detail).toBe(301);
        expect(receiver.received).toHaveLength(1);
        // One connection (to the public receiver) and no lookup of the redirect's target.
        expect(connectCalls.slice(before)).toEqual([PUBLIC_RECEIVER]);
        expect(lookups.slice(lookupsBefore).every((h) => h === PUBLIC_RECEIVER)).toBe(true);
      } finally {
        await receiver.close();
      }
      await closeSafeDispatchers(); // no kept-alive socket carries over to the next location
    }
  });
});

describe("the guard itself, with injected DNS", () => {
  it("isPublicAddress never throws, and an IPv4 address is judged alike in every IPv6 wrapping", () => {
    const v4 = fc.oneof(
      fc.ipV4(),
      fc.constantFrom("127.0.0.1", "10.0.0.1", "169.254.169.254", "0.0.0.0", "8.8.8.8", "100.64.0.1"),
    );
    fc.assert(
      fc.property(v4, (ip) => {
        const p = ip.split(".").map(Number);
        const hex = `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
        const plain = isPublicAddress(ip);
        expect(isPublicAddress(`::ffff:${ip}`)).toBe(plain);
        expect(isPublicAddress(`::ffff:${hex}`)).toBe(plain);
        expect(isPublicAddress(`::ffff:0:${hex}`)).toBe(plain);
        expect(isPublicAddress(`64:ff9b::${hex}`)).toBe(false); // NAT64: refused outright
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), fc.ipV4Extended(), fc.string({ maxLength: 40 })), (ip) => {
        expect(typeof isPublicAddress(ip)).toBe("boolean");
      }),
      { numRuns: 5_000 },
    );
  });

  it.each(DNS_CASES)("guardedLookup refuses %s in both callback shapes", async (_label, host) => {
    for (const all of [true, false]) {
      const err = await new Promise<unknown>((resolve) => guardedLookup(host, { all }, (e) => resolve(e)));
      expect(err, `all=${all}`).toMatchObject({ code: "HOOKRELAY_BLOCKED_ADDRESS" });
    }
  });

  it("an all-public answer passes the guard (and the fence swaps it for loopback): the public receiver is reached", async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
    try {
      const out = await sendSafely(
        { method: "POST", url: `http://${PUBLIC_RECEIVER}:${new URL(receiver.url).port}/x`, headers: {}, body: "{}" },
        { timeoutMs: 5_000, allowPrivate: false },
      );
      expect(out.status, out.error?.message).toBe(200);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
      await closeSafeDispatchers();
    }
  });

  it("an OAuth credential with a private token URL fails the delivery that needs it, with the reason kept on the credential", async () => {
    const [cred] = await env.db
      .insert(oauthCredentials)
      .values({
        companyId: company.companyId,
        name: "Private token URL",
        tokenUrl: "http://public-then-private.ssrf.test/token",
        method: "POST",
        parameters: [{ name: "client_id", value: "x", in: "body", secret: false }],
      })
      .returning();
    const { webhook } = await insertWebhook(env.db, company.companyId, company.owner.userId, {
      name: "OAuth SSRF",
      active: true,
      eventType: "contact.created",
      url: `http://${PUBLIC_RECEIVER}:${PORT}/never`,
      auth: { type: "oauth", credentialId: cred.id },
      retryPolicy: { type: "preset", preset: "none" },
      notifyOnFailure: false,
    });
    const [event] = await env.db
      .insert(events)
      .values({
        companyId: company.companyId,
        externalId: `ssrf-oauth-${Math.random()}`,
        type: "contact.created",
        recordId: "c1",
        occurredAt: new Date(),
        data: { id: "c1" },
      })
      .returning();
    const [delivery] = await env.db
      .insert(deliveries)
      .values({ companyId: company.companyId, webhookId: webhook.id, eventId: event.id })
      .returning();
    const before = connectCalls.length;
    await deliverWebhook(env.db, await env.deps.boss(), { deliveryId: delivery.id });
    const [attempt] = await env.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, delivery.id));
    expect(attempt.responseStatus).toBeNull();
    expect(attempt.errorMessage).toMatch(/blocked_address/);
    const [after] = await env.db.select().from(oauthCredentials).where(eq(oauthCredentials.id, cred.id));
    expect(after.lastError).toMatch(/not a public address/);
    // Only the token URL's name was tried (and refused at its lookup); the webhook's URL never.
    expect(connectCalls.slice(before)).toEqual(["public-then-private.ssrf.test"]);
  });
});
