import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedEmail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  authorization: string | undefined;
}

/**
 * A local stand-in for Resend's HTTP API (POST /emails), on 127.0.0.1. The real SDK is pointed at
 * it through RESEND_BASE_URL. `failNext` makes the next calls answer a provider error; `delayMs` makes every
 * answer that late (a slow provider).
 */
export async function startResendStandIn(options: { delayMs?: number } = {}) {
  const received: ReceivedEmail[] = [];
  let failures = 0;
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      // The e2e run reads what arrived from the Playwright process (the stand-in lives in scripts/e2e.ts).
      if (req.method === "GET" && req.url === "/emails") {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify(received.map(({ authorization: _, ...email }) => email)));
        return;
      }
      if (req.method !== "POST" || req.url !== "/emails") {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ name: "not_found", message: "Not found", statusCode: 404 }));
        return;
      }
      if (failures > 0) {
        failures--;
        res
          .writeHead(422, { "content-type": "application/json" })
          .end(JSON.stringify({ name: "validation_error", message: "Invalid `to` field", statusCode: 422 }));
        return;
      }
      const json = JSON.parse(body);
      received.push({
        ...json,
        to: Array.isArray(json.to) ? json.to : [json.to],
        authorization: req.headers.authorization,
      });
      const id = `email_${received.length}`;
      const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id }));
      // A slow provider (delayMs): each email holds its sender that long.
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(n = 1) {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
