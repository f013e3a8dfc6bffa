import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/**
 * Keeps child processes running: one that exits unexpectedly (a crash, an OOM kill, `kill -9`) is
 * started again after a backoff (1 s, doubling to 30 s while it keeps dying within a minute of its
 * start), and why it stopped is logged. `stop()` ends them all: SIGTERM, then SIGKILL after a grace
 * period. `npm start` supervises the web server and the worker this way, `npm run worker` a worker,
 * while the database (embedded) stays with the supervisor and never goes down with a child.
 */
export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  options: SpawnOptions;
}

type Supervised = {
  spec: ChildSpec;
  child: ChildProcess | null;
  startedAt: number;
  failures: number;
  timer: NodeJS.Timeout | null;
  restarts: number;
};

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** A child that ran this long is healthy again: its next crash restarts it after the shortest backoff. */
const HEALTHY_AFTER_MS = 60_000;

export class Supervisor {
  private readonly children = new Map<string, Supervised>();
  private stopping = false;

  constructor(private readonly log: (message: string) => void = (m) => console.log(`[hookrelay] ${m}`)) {}

  start(spec: ChildSpec): void {
    const entry: Supervised = { spec, child: null, startedAt: 0, failures: 0, timer: null, restarts: 0 };
    this.children.set(spec.name, entry);
    this.launch(entry);
  }

  /** The running child's pid (tests and the log). */
  pid(name: string): number | undefined {
    return this.children.get(name)?.child?.pid;
  }

  private launch(entry: Supervised): void {
    const { spec } = entry;
    const child = spawn(spec.command, spec.args, spec.options);
    entry.child = child;
    entry.startedAt = Date.now();
    this.log(`${spec.name} started (pid ${child.pid})`);
    child.on("error", (err) => this.log(`${spec.name} could not start: ${err.message}`));
    child.on("exit", (code, signal) => {
      if (entry.child !== child) return;
      entry.child = null;
      if (this.stopping) return;
      const ranMs = Date.now() - entry.startedAt;
      entry.failures = ranMs >= HEALTHY_AFTER_MS ? 1 : entry.failures + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (entry.failures - 1));
      const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.log(
        `${spec.name} (pid ${child.pid}) ${why} after ${(ranMs / 1000).toFixed(1)} s; restarting in ${backoff / 1000} s`,
      );
      entry.timer = setTimeout(() => {
        entry.timer = null;
        if (this.stopping) return;
        entry.restarts++;
        this.launch(entry);
      }, backoff);
    });
  }

  /** Stops every child: SIGTERM, SIGKILL after `graceMs`. Pending restarts are cancelled. */
  async stop(graceMs = 25_000): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [...this.children.values()].map(async (entry) => {
        if (entry.timer) clearTimeout(entry.timer);
        const child = entry.child;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => {
          this.log(`${entry.spec.name} (pid ${child.pid}) did not stop within ${graceMs / 1000} s: killing it`);
          child.kill("SIGKILL");
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
