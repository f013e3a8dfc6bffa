import dns from "node:dns";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { closeSafeDispatchers, sendSafely } from "./http-client";
import { isAllowedPrivateAddress, isAllowedPrivateHost, parsePrivateTargets } from "./private-targets";
import { checkLiteralHost } from "./ssrf";

/**
 * HOOKRELAY_PRIVATE_TARGETS: the operator's private hosts and networks pass the SSRF guard, checked where the
 * guard checks (at connect time, on the address connected to); everything else stays refused. Real sockets on
 * 127.0.0.1; names under .pt.test are answered by an injected DNS.
 */

describe("parsePrivateTargets", () => {
  it("reads host names, wildcards, addresses and CIDRs (IPv4 and IPv6)", () => {
    const list = parsePrivateTargets(
      " ERP.Internal.Example. , *.corp.example, 10.20.0.0/16, 10.9.8.7, fd00:1::/64, ::1 ",
    );
    expect([...list.hosts]).toEqual(["erp.internal.example"]);
    expect(list.suffixes).toEqual([".corp.example"]);
    expect(list.source).toBe("erp.internal.example,*.corp.example,10.20.0.0/16,10.9.8.7/32,::1/128,fd00:1::/64");
    expect(parsePrivateTargets("").source).toBe("");
  });

  it.each([
    ["10.0.0.0/33", "not a valid CIDR"],
    ["*", "neither a host name"],
    ["*.example", "a wildcard must be *. followed by a name of at least two labels"],
    ["http://erp.internal", "a URL: give the host name alone"],
    ["erp internal", "neither a host name"],
    ["127.1", "neither a host name"],
    ["0x7f000001", "neither a host name"],
  ])("refuses %s (%s)", (entry, says) => {
    expect(() => parsePrivateTargets(`erp.internal.example, ${entry}`)).toThrow(says);
  });

  it("matches names exactly or below a wildcard, and addresses within a network", () => {
    const list = parsePrivateTargets("erp.internal.example, *.corp.example, 10.20.0.0/16, fd00:1::/64");
    expect(isAllowedPrivateHost("erp.internal.example", list)).toBe(true);
    expect(isAllowedPrivateHost("ERP.internal.example.", list)).toBe(true);
    expect(isAllowedPrivateHost("x.erp.internal.example", list)).toBe(false);
    expect(isAllowedPrivateHost("api.corp.example", list)).toBe(true);
    expect(isAllowedPrivateHost("a.b.corp.example", list)).toBe(true);
    expect(isAllowedPrivateHost("corp.example", list)).toBe(false);
    expect(isAllowedPrivateHost("evilcorp.example", list)).toBe(false);
    expect(isAllowedPrivateAddress("10.20.255.1", list)).toBe(true);
    expect(isAllowedPrivateAddress("::ffff:10.20.0.1", list)).toBe(true);
    expect(isAllowedPrivateAddress("10.21.0.1", list)).toBe(false);
    expect(isAllowedPrivateAddress("fd00:1::5", list)).toBe(true);
    expect(isAllowedPrivateAddress("fd00:2::5", list)).toBe(false);
    expect(isAllowedPrivateAddress("not an address", list)).toBe(false);
    expect(isAllowedPrivateAddress("10.20.0.1", null)).toBe(false);
  });

  it("the literal-host check before connecting agrees: an address in a network passes, others do not", () => {
    const list = parsePrivateTargets("10.20.0.0/16, erp.internal.example");
    expect(checkLiteralHost("10.20.1.1", list)).toBeNull();
    expect(checkLiteralHost("10.21.1.1", list)).toBe("10.21.1.1 is not a public address");
    expect(checkLiteralHost("127.0.0.1", list)).toBe("127.0.0.1 is not a public address");
    expect(checkLiteralHost("erp.internal.example", list)).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Injected DNS for *.pt.test; every other name resolves as usual.

const ZONE: Record<string, string[]> = {
  "erp.pt.test": ["127.0.0.1"],
  "other.pt.test": ["127.0.0.1"],
  "api.corp.pt.test": ["127.0.0.1"],
};
let rebindLookups = 0;
const realLookup = dns.lookup;
function fakeLookup(hostname: string, options: unknown, callback?: unknown) {
  const cb = (typeof options === "function" ? options : callback) as (e: Error | null, a?: unknown, f?: number) => void;
  const opts = (typeof options === "object" && options !== null ? options : {}) as { all?: boolean };
  if (!hostname.endsWith(".pt.test")) return (realLookup as (...a: unknown[]) => void)(hostname, options, callback);
  // DNS rebinding: the first answer is public (what a check before connecting would see), then loopback.
  const addresses =
    hostname === "rebind.pt.test" ? [rebindLookups++ === 0 ? "93.184.216.34" : "127.0.0.1"] : ZONE[hostname];
  if (!addresses) {
    const e: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    e.code = "ENOTFOUND";
    return process.nextTick(() => cb(e));
  }
  const answers = addresses.map((address) => ({ address, family: 4 }));
  process.nextTick(() => (opts.all ? cb(null, answers) : cb(null, answers[0].address, 4)));
}

/** Safety net: a connection anywhere but loopback is refused here even if the guard under test broke. */
const realConnect = net.connect;
beforeAll(() => {
  vi.spyOn(dns, "lookup").mockImplementation(fakeLookup as unknown as typeof dns.lookup);
  (net as { connect: unknown }).connect = function (this: unknown, ...args: unknown[]) {
    const o = args[0] as net.TcpNetConnectOpts;
    const bare = String(o.host).replace(/^\[|\]$/g, "");
    if (net.isIP(bare) !== 0 && bare !== "127.0.0.1" && bare !== "::1")
      throw new Error(`test safety net: refused to connect to ${bare}`);
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  };
});
afterAll(() => {
  (net as { connect: unknown }).connect = realConnect;
  vi.restoreAllMocks();
});

let server: http.Server;
let port: number;
let connections = 0;
beforeEach(async () => {
  connections = 0;
  rebindLookups = 0;
  server = http.createServer((_req, res) => res.writeHead(200).end("private ok"));
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterEach(async () => {
  await closeSafeDispatchers();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const send = (host: string, privateTargets: string | null) =>
  sendSafely(
    { method: "POST", url: `http://${host}:${port}/hook`, headers: {}, body: "{}" },
    {
      timeoutMs: 3_000,
      allowPrivate: false,
      privateTargets: privateTargets === null ? null : parsePrivateTargets(privateTargets),
    },
  );

describe("the guard with private targets (real sockets on 127.0.0.1)", () => {
  it("a CIDR allows an address within it; without it the same request is refused before connecting", async () => {
    expect(await send("127.0.0.1", "127.0.0.1/32")).toMatchObject({ ok: true, status: 200, body: "private ok" });
    expect(connections).toBe(1);
    // The allowed pool's open connection is not used for a request under another policy.
    const refused = await send("127.0.0.1", null);
    expect(refused).toMatchObject({ ok: false, status: null, error: { kind: "blocked_address" } });
    const elsewhere = await send("127.0.0.1", "10.0.0.0/8, erp.pt.test");
    expect(elsewhere.error?.kind).toBe("blocked_address");
    expect(connections).toBe(1);
  });

  it("a CIDR allows any name resolving within it, checked on the address connected to", async () => {
    expect(await send("other.pt.test", "127.0.0.0/8")).toMatchObject({ ok: true, status: 200 });
  });

  it("a host name allows its own resolution only: another name, or the address itself, is still refused", async () => {
    expect(await send("erp.pt.test", "erp.pt.test")).toMatchObject({ ok: true, status: 200 });
    const other = await send("other.pt.test", "erp.pt.test");
    expect(other.error).toEqual({
      kind: "blocked_address",
      message: "other.pt.test resolves to 127.0.0.1, which is not a public address",
    });
    expect((await send("127.0.0.1", "erp.pt.test")).error?.kind).toBe("blocked_address");
    expect(connections).toBe(1);
  });

  it("a wildcard allows names below it", async () => {
    expect(await send("api.corp.pt.test", "*.corp.pt.test")).toMatchObject({ ok: true, status: 200 });
    expect((await send("erp.pt.test", "*.corp.pt.test")).error?.kind).toBe("blocked_address");
  });

  it("DNS rebinding is still caught: a name that looked public is judged again on the address it connects to", async () => {
    const first = await new Promise<string>((resolve) => dns.lookup("rebind.pt.test", (_e, a) => resolve(a)));
    expect(first).toBe("93.184.216.34");
    const out = await send("rebind.pt.test", "10.0.0.0/8, erp.pt.test");
    expect(out.error).toEqual({
      kind: "blocked_address",
      message: "rebind.pt.test resolves to 127.0.0.1, which is not a public address",
    });
    expect(connections).toBe(0);
  });
});
