/**
 * At most `limit` requests at once, whatever batches the worker holds; the rest wait their turn.
 * A request may also name its webhook and that webhook's max concurrency: it then first waits until
 * fewer than that many of the webhook's requests are in flight in this process (pg-boss's group
 * limit, applied when jobs are fetched, can let a few more through when pollers fetch at once).
 */
export class Slots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly webhooks = new Map<string, { active: number; waiting: (() => void)[] }>();
  constructor(readonly limit: number) {}

  async run<T>(fn: () => Promise<T>, webhook?: { id: string; limit: number }): Promise<T> {
    if (!webhook) return this.global(fn);
    let state = this.webhooks.get(webhook.id);
    if (!state) this.webhooks.set(webhook.id, (state = { active: 0, waiting: [] }));
    if (state.active >= webhook.limit) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.active++;
    try {
      return await this.global(fn);
    } finally {
      const next = state.waiting.shift();
      if (next) next();
      else if (--state.active === 0) this.webhooks.delete(webhook.id);
    }
  }

  private async global<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
