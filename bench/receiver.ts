/**
 * The bench's receiver, run as its own process (forked with IPC by scripts/bench.ts) so that its
 * CPU is not the worker's: a plain node:http server on 127.0.0.1 that answers 200 at once and
 * remembers, per request, the event id (the JSON body's `id`) and when it arrived
 * (performance.timeOrigin + performance.now(), milliseconds on the shared wall clock).
 *
 * IPC: the parent sends { cmd: "reset" | "count" | "dump", seq }; the answer carries the same seq.
 */
import http from "node:http";

interface Command {
  cmd: "reset" | "count" | "dump";
  seq: number;
}

const ids: string[] = [];
const times: number[] = [];
let first = 0;
let last = 0;

const now = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const t = now();
    let id = "";
    const body = Buffer.concat(chunks).toString("utf8");
    // The default raw JSON body starts with the event: {"id":"…",…}; anything else is counted without an id.
    const m = /"id":"([^"]+)"/.exec(body);
    if (m) id = m[1];
    ids.push(id);
    times.push(t);
    if (!first) first = t;
    last = t;
    res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
    res.end("ok");
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 61_000;

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.send?.({ type: "ready", port });
});

process.on("message", (msg: Command) => {
  if (msg.cmd === "reset") {
    ids.length = 0;
    times.length = 0;
    first = last = 0;
    process.send?.({ seq: msg.seq, ok: true });
  } else if (msg.cmd === "count") {
    process.send?.({ seq: msg.seq, count: ids.length, first, last });
  } else if (msg.cmd === "dump") {
    process.send?.({ seq: msg.seq, ids, times, first, last });
  }
});

// The parent going away (Ctrl-C, a crash) ends the receiver too.
process.on("disconnect", () => process.exit(0));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
