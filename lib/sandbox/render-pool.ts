import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { TemplateLimitError } from "../events/template";
import type { SandboxItem, SandboxItemResult, SandboxRequest, SandboxResponse } from "./protocol";
import { env } from "@/lib/env";
import { countSandboxKill } from "@/lib/metrics";

/**
 * Every render of a company's template (body templates, URL, header and query placeholders) runs
 * here: in a small pool of child processes, off the web server's and the worker's event loop.
 *
 * Why processes and not worker_threads: a template such as nested `capture`s feeding `replace` makes
 * V8 abort with "Fatal JavaScript invalid size error", and a V8 fatal error ends the whole process,
 * worker threads included (tried: a worker thread with resourceLimits took its process down). A
 * child process can die alone. Each child has a heap cap (`--max-old-space-size`); a render that runs
 * past the deadline has its child killed (SIGKILL) and replaced. Either way the render fails with a
 * TemplateLimitError that says which limit, and the pool keeps serving.
 *
 * Companies take turns: requests wait in one queue per key (the company), served round-robin, so a
 * company whose templates are slow waits behind its own renders, not in front of everyone else's.
 */
export interface RenderPoolOptions {
  /** Child processes (renders at once). */
  processes: number;
  /** Wall-clock time one request may take once a child has it. */
  deadlineMs: number;
  /** Each child's V8 heap cap. */
  heapMb: number;
}

export interface RenderPoolStats {
  renders: number;
  /** Children killed at the deadline or lost to their memory cap (or any other death mid-render). */
  kills: number;
  /** Children started (the first ones and every replacement). */
  started: number;
}

type Task = {
  key: string;
  contexts: Record<string, unknown>[];
  items: SandboxItem[];
  resolve: (results: SandboxItemResult[]) => void;
  reject: (err: Error) => void;
};

type Child = {
  proc: ChildProcess;
  ready: Promise<void>;
  task: Task | null;
  requestId: number;
  timer: NodeJS.Timeout | null;
  /** The end of its stderr (V8's last words when it dies). */
  stderr: string;
  /** Why it was killed, when the pool killed it. */
  killedFor: string | null;
};

function repoRoot(): string {
  if (env.HOOKRELAY_ROOT) return env.HOOKRELAY_ROOT;
  // The web server, the worker, the tests and the bench all run from the repository's root.
  return process.cwd();
}

function childCommand(): { script: string; execArgv: string[] } {
  const root = repoRoot();
  const script = path.join(root, "lib", "sandbox", "render-child.ts");
  const loader = path.join(root, "node_modules", "tsx", "dist", "loader.mjs");
  if (!fs.existsSync(script) || !fs.existsSync(loader)) {
    throw new Error(
      `The render sandbox cannot start: ${script} or tsx's loader is missing (set HOOKRELAY_ROOT to the repository's folder)`,
    );
  }
  return { script, execArgv: ["--import", loader] };
}

export class RenderPool {
  private readonly children: (Child | null)[];
  private readonly queues = new Map<string, Task[]>();
  private nextId = 1;
  private closed = false;
  /** When each key was last served (a sequence number), for the round-robin. */
  private readonly servedAt = new Map<string, number>();
  private served = 0;
  readonly stats: RenderPoolStats = { renders: 0, kills: 0, started: 0 };

  constructor(readonly options: RenderPoolOptions) {
    this.children = Array.from({ length: Math.max(1, options.processes) }, () => null);
  }

  /** Starts every child now rather than on the first render (a child takes a few hundred ms to start). */
  warm(): void {
    if (this.closed) return;
    for (let i = 0; i < this.children.length; i++) this.children[i] ??= this.spawn(i);
  }

  /** Requests waiting for a child (all keys). */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  /**
   * Renders each item against its context. Resolves with one result per item (a template error is a
   * result, not a rejection); rejects with TemplateLimitError when the request broke the deadline or
   * the memory cap (its child is then replaced).
   */
  render(key: string, contexts: Record<string, unknown>[], items: SandboxItem[]): Promise<SandboxItemResult[]> {
    if (this.closed) return Promise.reject(new Error("The render sandbox is closed"));
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<SandboxItemResult[]>((resolve, reject) => {
      const queue = this.queues.get(key);
      const task = { key, contexts, items, resolve, reject };
      if (queue) queue.push(task);
      else this.queues.set(key, [task]);
      this.pump();
    });
  }

  /** The next task, round-robin over keys: the first task of the key served longest ago (or never). */
  private nextTask(): Task | null {
    let pick: string | null = null;
    let oldest = Infinity;
    for (const key of this.queues.keys()) {
      const at = this.servedAt.get(key) ?? -1;
      if (at < oldest) {
        oldest = at;
        pick = key;
      }
    }
    if (pick === null) return null;
    const queue = this.queues.get(pick)!;
    const task = queue.shift()!;
    if (queue.length === 0) this.queues.delete(pick);
    if (this.servedAt.size > 10_000) this.servedAt.clear();
    this.servedAt.set(pick, this.served++);
    return task;
  }

  private pump(): void {
    for (let i = 0; i < this.children.length && this.queues.size > 0; i++) {
      let child = this.children[i];
      if (child?.task) continue;
      if (!child) child = this.children[i] = this.spawn(i);
      const task = this.nextTask();
      if (!task) return;
      this.assign(child, task);
    }
  }

  private assign(child: Child, task: Task): void {
    child.task = task;
    const id = this.nextId++;
    child.requestId = id;
    void child.ready.then(
      () => {
        if (child.task !== task) return;
        // The deadline counts from when the child has the request, not from its start-up.
        child.timer = setTimeout(
          () =>
            this.kill(
              child,
              `The template takes longer than ${this.options.deadlineMs.toLocaleString("en-US")} ms to render`,
            ),
          this.options.deadlineMs,
        );
        child.proc.send({ id, contexts: task.contexts, items: task.items } satisfies SandboxRequest, (err) => {
          if (err && child.task === task)
            this.kill(child, `The render sandbox could not take the template: ${err.message}`);
        });
      },
      (err: Error) => {
        if (child.task === task) this.kill(child, `The render sandbox could not start: ${err.message}`);
      },
    );
  }

  private spawn(index: number): Child {
    const { script, execArgv } = childCommand();
    // spawn with an IPC channel (what fork does): the bundler would try to resolve a fork()'s script.
    const args = [
      ...execArgv,
      `--max-old-space-size=${this.options.heapMb}`,
      "--max-semi-space-size=8",
      "--stack-size=2000",
      script,
    ];
    const proc = spawn(process.execPath, /* turbopackIgnore: true */ args, {
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    this.stats.started++;
    let markReady!: () => void;
    let failStart!: (err: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    ready.catch(() => {});
    const child: Child = { proc, ready, task: null, requestId: 0, timer: null, stderr: "", killedFor: null };
    proc.stderr?.on("data", (chunk: Buffer) => {
      child.stderr = (child.stderr + chunk.toString("utf8")).slice(-2000);
    });
    proc.on("message", (raw) => {
      const message = raw as SandboxResponse;
      if ("ready" in message) return markReady();
      const task = child.task;
      if (!task || message.id !== child.requestId) return;
      if (child.timer) clearTimeout(child.timer);
      child.timer = null;
      child.task = null;
      this.stats.renders++;
      task.resolve(message.results);
      this.pump();
    });
    proc.on("error", (err) => failStart(err));
    proc.on("exit", (code, signal) => {
      failStart(new Error(`exited (${signal ?? code})`));
      if (child.timer) clearTimeout(child.timer);
      if (this.children[index] === child) this.children[index] = null;
      const task = child.task;
      child.task = null;
      if (task) {
        this.stats.kills++;
        countSandboxKill();
        const reason = child.killedFor ?? this.deathReason(child, code, signal);
        task.reject(new TemplateLimitError(reason));
        if (!child.killedFor)
          console.warn(
            `[render-sandbox] a render process died (${signal ?? `exit ${code}`}); replaced. ${lastLine(child.stderr)}`,
          );
      }
      if (!this.closed) this.pump();
    });
    return child;
  }

  private deathReason(child: Child, code: number | null, signal: NodeJS.Signals | null): string {
    if (/heap limit|out of memory|allocation failed/i.test(child.stderr))
      return `The template uses more than ${this.options.heapMb} MB of memory to render`;
    if (/invalid size|invalid string length|invalid array length/i.test(child.stderr))
      return "The template builds a text or list larger than the engine can hold";
    return `The template stopped its render sandbox (${signal ?? `exit ${code}`})`;
  }

  private kill(child: Child, reason: string): void {
    if (child.killedFor) return;
    child.killedFor = reason;
    child.proc.kill("SIGKILL");
  }

  /** Stops every child; waiting requests are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const queue of this.queues.values())
      for (const task of queue) task.reject(new Error("The render sandbox is closed"));
    this.queues.clear();
    await Promise.all(
      this.children.map(async (child) => {
        if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.proc.once("exit", () => resolve()));
        child.killedFor ??= "The render sandbox is closed";
        child.proc.kill("SIGKILL");
        await exited;
      }),
    );
  }
}

function lastLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /fatal|error/i.test(l)) ?? lines[lines.length - 1] ?? "";
}

/** The process's pool, made on first use (one per process; kept across Next's dev reloads). */
export function renderSandbox(): RenderPool {
  const holder = globalThis as unknown as { __hookrelayRenderPool?: RenderPool };
  holder.__hookrelayRenderPool ??= new RenderPool({
    processes: env.RENDER_SANDBOX_PROCESSES,
    deadlineMs: env.RENDER_DEADLINE_MS,
    heapMb: env.RENDER_HEAP_MB,
  });
  return holder.__hookrelayRenderPool;
}

/** Stops the process's pool, if one was made (worker and test shutdown). */
export async function closeRenderSandbox(): Promise<void> {
  const holder = globalThis as unknown as { __hookrelayRenderPool?: RenderPool };
  const pool = holder.__hookrelayRenderPool;
  holder.__hookrelayRenderPool = undefined;
  await pool?.close();
}

/** Renders in the process's pool: what renderInSandbox (lib/delivery/build-request.ts) is given. */
export function sandboxRender(
  key: string,
  contexts: Record<string, unknown>[],
  items: SandboxItem[],
): Promise<SandboxItemResult[]> {
  return renderSandbox().render(key, contexts, items);
}
