import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

type Responder = (
  req: ReceivedRequest,
  index: number,
) => { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | "hang" | "destroy";

/** A real HTTP receiver on 127.0.0.1 that records every request and answers as told. */
export async function startReceiver(respond: Responder = () => ({ status: 200, body: "ok" })) {
  const received: ReceivedRequest[] = [];
  const hanging: http.ServerResponse[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const entry: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body,
        at: Date.now(),
      };
      received.push(entry);
      const answer = respond(entry, received.length - 1);
      waiters = waiters.filter((w) => (received.length >= w.n ? (w.resolve(), false) : true));
      if (answer === "hang") return void hanging.push(res);
      if (answer === "destroy") return void req.socket.destroy();
      const send = () =>
        res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers }).end(answer.body ?? "");
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Resolves once `n` requests have arrived. */
    waitFor(n: number) {
      return new Promise<void>((resolve) => (received.length >= n ? resolve() : waiters.push({ n, resolve })));
    },
    close() {
      hanging.forEach((r) => r.destroy());
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls a condition (a database state) until it holds; fails with the last value after the deadline. */
export async function waitUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not reached within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}
