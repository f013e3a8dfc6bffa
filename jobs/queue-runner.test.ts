import { afterAll, describe, expect, it } from "vitest";
import { testEnvironment } from "@/tests/helpers";
import { sendEmail } from "./definitions";
import { QueueRunner } from "./queue-runner";

const env = testEnvironment();
afterAll(() => env.close());

describe("QueueRunner", () => {
  it("waits, rather than spinning, while every place is taken and something wakes it", async () => {
    const boss = await env.deps.boss();
    // Another worker's leftovers would be taken too: this test's jobs carry their own ids.
    const ids = ["qr-1", "qr-2", "qr-3"].map((n) => `${n}-${Math.random().toString(36).slice(2)}`);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const runner = new QueueRunner(
      boss,
      sendEmail,
      async (payload) => {
        const id = (payload as { notificationId: string }).notificationId;
        if (!ids.includes(id)) return;
        handled.push(id);
        await gate;
      },
      { concurrency: 1, pollMs: 50 },
    );
    for (const id of ids) await boss.send(sendEmail.name, { notificationId: id });
    await runner.start();
    await expect.poll(() => handled.length, { timeout: 10_000 }).toBe(1);
    // The one place is taken; wake it again and again (a NOTIFY, a freed place elsewhere). With the loop
    // spinning, the event loop would never get to the timers below and this test would hang.
    for (let i = 0; i < 5; i++) {
      runner.wake();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(handled).toHaveLength(1);
    release();
    await expect.poll(() => handled.length, { timeout: 10_000 }).toBe(3);
    await runner.stop(1000);
  });
});
