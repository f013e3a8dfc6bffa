import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { request } from "undici";
import {
  classifyError,
  closeSafeDispatchers,
  guardedLookup,
  parseRetryAfter,
  safeDispatcher,
  sendSafely,
} from "./http-client";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  port: number;
  base: string;
  seen: Seen[];
  connections: () => number;
  close: () => Promise<void>;
}

async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<TestServer> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Safety net: every TCP connection the client opens is recorded, and one to a non-loopback IP is
 * refused here even if the guard under test were broken, so these tests never send traffic off
 * the machine.
 */
const connectCalls: string[] = [];
const realConnect = net.connect;
beforeAll(() => {
  const patched = function (this: unknown, ...args: unknown[]) {
    const opts = args[0];
    const host =
      typeof opts === "object" && opts !== null && "host" in opts
        ? String((opts as { host: unknown }).host)
        : String(args[1] ?? "");
    connectCalls.push(host);
    const bare = host.replace(/^\[|\]$/g, "");
    if (net.isIP(bare) !== 0 && bare !== "127.0.0.1" && bare !== "::1")
      throw new Error(`test safety net: refused to connect to ${host}`);
    return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  (net as { connect: unknown }).connect = patched;
});
afterAll(async () => {
  (net as { connect: unknown }).connect = realConnect;
  await closeSafeDispatchers();
});
beforeEach(() => {
  connectCalls.length = 0;
});

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(handler: Parameters<typeof startServer>[0]) {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

const allow = { timeoutMs: 5_000, allowPrivate: true };

describe("sendSafely against real receivers (allowPrivate)", () => {
  it("sends method, headers and body; 2xx is ok", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "x-reply": "yes" });
      res.end('{"received":true}');
    });
    const out = await sendSafely(
      {
        method: "POST",
        url: `${s.base}/hook?a=1`,
        headers: { "content-type": "application/json", "webhook-id": "dlv_1" },
        body: '{"x":1}',
      },
      allow,
    );
    expect(out.ok).toBe(true);
    expect(out.status).toBe(200);
    expect(out.error).toBeNull();
    expect(out.body).toBe('{"received":true}');
    expect(out.bodyTruncated).toBe(false);
    expect(out.headers["x-reply"]).toBe("yes");
    expect(out.durationMs).toBeGreaterThanOrEqual(0);
    expect(s.seen).toHaveLength(1);
    expect(s.seen[0]).toMatchObject({ method: "POST", url: "/hook?a=1", body: '{"x":1}' });
    expect(s.seen[0].headers["webhook-id"]).toBe("dlv_1");
    expect(connectCalls).toEqual(["127.0.0.1"]); // the safety net sees the client's sockets
  });

  it("a bodiless GET", async () => {
    const s = await server((_req, res) => res.writeHead(204).end());
    const out = await sendSafely({ method: "GET", url: `${s.base}/x`, headers: {}, body: null }, allow);
    expect(out).toMatchObject({ ok: true, status: 204, body: "" });
    expect(s.seen[0].method).toBe("GET");
  });

  it("500 is a failure with kind http_status, and Retry-After is parsed", async () => {
    const s = await server((_req, res) => {
      res.writeHead(500, { "retry-after": "120" });
      res.end("boom");
    });
    const out = await sendSafely({ method: "POST", url: s.base, headers: {}, body: "{}" }, allow);
    expect(out.ok).toBe(false);
    expect(out.status).toBe(500);
    expect(out.error?.kind).toBe("http_status");
    expect(out.body).toBe("boom");
    expect(out.retryAfterSeconds).toBe(120);
  });

  it("a receiver that never answers times out", async () => {
    const s = await server(() => {
      /* never responds */
    });
    const out = await sendSafely(
      { method: "POST", url: s.base, headers: {}, body: "{}" },
      { timeoutMs: 300, allowPrivate: true },
    );
    expect(out.ok).toBe(false);
    expect(out.status).toBeNull();
    expect(out.error?.kind).toBe("timeout");
  });

  it("reads at most maxBodyBytes of a huge body", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const chunk = "x".repeat(64 * 1024);
      // 8 MiB, written as the socket drains; the client stops reading after 64 KiB.
      let left = 128;
      const write = () => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return void res.once("drain", write);
        }
        res.end();
      };
      res.on("error", () => {});
      write();
    });
    const out = await sendSafely({ method: "GET", url: s.base, headers: {}, body: null }, allow);
    expect(out.ok).toBe(true);
    expect(out.bodyTruncated).toBe(true);
    expect(Buffer.byteLength(out.body)).toBe(64 * 1024);
    const small = await sendSafely(
      { method: "GET", url: s.base, headers: {}, body: null },
      { ...allow, maxBodyBytes: 10 },
    );
    expect(small.body).toBe("x".repeat(10));
    expect(small.bodyTruncated).toBe(true);
  });

  it("a connection destroyed by the receiver is connection_reset", async () => {
    const s = await server((req) => req.socket.destroy());
    const out = await sendSafely({ method: "POST", url: s.base, headers: {}, body: "{}" }, allow);
    expect(out.ok).toBe(false);
    expect(out.status).toBeNull();
    expect(out.error?.kind).toBe("connection_reset");
  });

  it("a closed port is connection_refused", async () => {
    const s = await startServer(() => {});
    const url = s.base;
    await s.close();
    const out = await sendSafely({ method: "POST", url, headers: {}, body: "{}" }, allow);
    expect(out.error?.kind).toBe("connection_refused");
  });

  it("never follows a redirect: the 302 is the outcome", async () => {
    const s = await server((req, res) => {
      if (req.url === "/start") {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
        res.end();
      } else if (req.url === "/moved") {
        res.writeHead(301, { location: "/target" });
        res.end();
      } else {
        res.writeHead(200).end("target");
      }
    });
    const out = await sendSafely({ method: "POST", url: `${s.base}/start`, headers: {}, body: "{}" }, allow);
    expect(out.ok).toBe(false);
    expect(out.status).toBe(302);
    expect(out.error?.kind).toBe("http_status");
    expect(out.headers.location).toBe("http://169.254.169.254/latest/meta-data/");
    const moved = await sendSafely({ method: "GET", url: `${s.base}/moved`, headers: {}, body: null }, allow);
    expect(moved.status).toBe(301);
    expect(s.seen.map((r) => r.url)).toEqual(["/start", "/moved"]);
    expect(connectCalls.every((h) => h === "127.0.0.1")).toBe(true);
  });
});

describe("the SSRF guard (allowPrivate false)", () => {
  const blockedHosts = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "[::1]",
    "[0:0:0:0:0:ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "169.254.169.254",
    "10.0.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "localhost",
  ];

  it.each(blockedHosts)("refuses %s before any connection", async (host) => {
    const s = await server((_req, res) => res.writeHead(200).end("should not be reached"));
    const out = await sendSafely(
      { method: "POST", url: `http://${host}:${s.port}/hook`, headers: {}, body: "{}" },
      { timeoutMs: 2_000, allowPrivate: false },
    );
    expect(out.ok).toBe(false);
    expect(out.status).toBeNull();
    expect(out.error?.kind).toBe("blocked_address");
    expect(s.connections()).toBe(0);
    expect(s.seen).toHaveLength(0);
    // Literal IPs are refused before a socket is even created; `localhost` inside the socket's lookup.
    expect(connectCalls).toEqual(host === "localhost" ? ["localhost"] : []);
  });

  it("a loopback receiver answering 302 to a private URL: refused, and nothing is followed", async () => {
    const s = await server((_req, res) => res.writeHead(302, { location: "http://10.0.0.1/" }).end());
    const out = await sendSafely(
      { method: "POST", url: `${s.base}/redirect`, headers: {}, body: "{}" },
      { timeoutMs: 2_000, allowPrivate: false },
    );
    expect(out.error?.kind).toBe("blocked_address");
    expect(s.connections()).toBe(0);
  });

  it("the connect-time check refuses a literal private IP even without the pre-check", async () => {
    const s = await server((_req, res) => res.writeHead(200).end());
    await expect(request(`${s.base}/`, { dispatcher: safeDispatcher(false) })).rejects.toMatchObject({
      code: "HOOKRELAY_BLOCKED_ADDRESS",
    });
    expect(s.connections()).toBe(0);
    expect(connectCalls).toEqual([]);
  });

  it("the guarded lookup refuses a name resolving to loopback, in both callback shapes", async () => {
    const one = await new Promise<unknown>((resolve) => guardedLookup("localhost", {}, (err) => resolve(err)));
    expect(one).toMatchObject({ code: "HOOKRELAY_BLOCKED_ADDRESS" });
    const all = await new Promise<unknown>((resolve) =>
      guardedLookup("localhost", { all: true }, (err) => resolve(err)),
    );
    expect(all).toMatchObject({ code: "HOOKRELAY_BLOCKED_ADDRESS" });
  });
});

describe("URL rules", () => {
  it.each([
    ["ftp://127.0.0.1/x", "invalid_url"],
    ["file:///etc/passwd", "invalid_url"],
    ["http://user:pw@127.0.0.1/", "invalid_url"],
    ["not a url", "invalid_url"],
  ])("%s → %s", async (url, kind) => {
    const out = await sendSafely({ method: "GET", url, headers: {}, body: null }, allow);
    expect(out.error?.kind).toBe(kind);
    expect(connectCalls).toEqual([]);
  });
});

describe("helpers", () => {
  it("parseRetryAfter reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("30", now)).toBe(30);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:02:00 GMT", now)).toBe(120);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it("classifyError maps network errors", () => {
    const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });
    expect(classifyError(withCode("ENOTFOUND"), false).kind).toBe("dns");
    expect(classifyError(withCode("EAI_AGAIN"), false).kind).toBe("dns");
    expect(classifyError(withCode("ECONNREFUSED"), false).kind).toBe("connection_refused");
    expect(classifyError(withCode("UND_ERR_SOCKET", "other side closed"), false).kind).toBe("connection_reset");
    expect(classifyError(withCode("CERT_HAS_EXPIRED", "certificate has expired"), false).kind).toBe("tls");
    expect(classifyError(withCode("ERR_TLS_CERT_ALTNAME_INVALID"), false).kind).toBe("tls");
    expect(classifyError(withCode("UND_ERR_HEADERS_TIMEOUT"), false).kind).toBe("timeout");
    expect(classifyError(new Error("aborted"), true).kind).toBe("timeout");
    expect(classifyError(new Error("wrapped", { cause: withCode("ECONNREFUSED") }), false).kind).toBe(
      "connection_refused",
    );
    expect(classifyError(new Error("x"), false).kind).toBe("other");
  });
});
