/**
 * The Node (V8) flags the worker process runs with: scripts/start.ts starts it with them (`npm start`,
 * `npm run worker`), and so do the bench and the reliability tests; under systemd or an orchestrator,
 * start it the same way (`node --max-semi-space-size=4 --import tsx scripts/worker.ts`).
 *
 * `--max-semi-space-size=4`: V8's young generation may grow to 2 × 16 MB by default, and the worker's
 * garbage (a round's rows, requests and answers, gone within tens of milliseconds) keeps it there; at
 * 2 × 4 MB the worker's peak memory drops by about that much (BENCHMARKS.md, issue 17) for more
 * frequent, shorter scavenges of the same garbage.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
