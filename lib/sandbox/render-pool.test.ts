import { afterAll, describe, expect, it } from "vitest";
import { TemplateLimitError } from "@/lib/events/template";
import { RenderPool } from "./render-pool";

const X = "x".repeat(100);
/** The template of issue 12: 273 characters that made V8 abort the whole process. */
const CRASH = `{% capture a %}{% for i in (1..1000) %}${X}{% endfor %}{% endcapture %}{% capture b %}{% for i in (1..3000) %}{{a}}{% endfor %}{% endcapture %}{{ b | replace: "x", "y" | size }}`;
/** Pure CPU: nine million loop turns, well past a 300 ms deadline and under liquidjs' own limits for the first second.
 * */
const SLOW = "{% for i in (1..3000) %}{% for j in (1..3000) %}{% endfor %}{% endfor %}done";

const pools: RenderPool[] = [];
function pool(options: Partial<ConstructorParameters<typeof RenderPool>[0]> = {}) {
  const p = new RenderPool({ processes: 1, deadlineMs: 300, heapMb: 64, ...options });
  pools.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

const ctx = { event: { id: "evt_1", type: "deal.won" }, data: { name: 'Acme "Inc"' }, previous: null };

describe("RenderPool", () => {
  it("renders in a child process, with the escape asked for", async () => {
    const p = pool();
    const results = await p.render(
      "a",
      [ctx],
      [
        { template: '{"name":"{{data.name}}"}', escape: "json", context: 0 },
        { template: "{{ data.name | upcase }}", escape: "none", context: 0 },
        { template: "{{ data.name | nope }}", escape: "none", context: 0 },
      ],
    );
    expect(results[0]).toEqual({ ok: true, text: '{"name":"Acme \\"Inc\\""}' });
    expect(results[1]).toEqual({ ok: true, text: 'ACME "INC"' });
    expect(results[2]).toMatchObject({ ok: false, limit: false });
    expect(p.stats).toMatchObject({ renders: 1, kills: 0 });
  });

  it("the crash template is a limit error, not a dead process", async () => {
    const p = pool({ deadlineMs: 5000 });
    const [result] = await p.render("a", [ctx], [{ template: CRASH, escape: "none", context: 0 }]);
    expect(result).toMatchObject({ ok: false, limit: true });
    expect(result.ok === false && result.message).toMatch(/(prints more|longer) than 4,000,000 characters/);
    // The same child serves the next render.
    expect(await p.render("a", [ctx], [{ template: "{{event.id}}", escape: "none", context: 0 }])).toEqual([
      { ok: true, text: "evt_1" },
    ]);
    expect(p.stats).toMatchObject({ kills: 0, started: 1 });
  });

  it("a render past the deadline has its process killed and replaced; the pool keeps serving", async () => {
    const p = pool({ deadlineMs: 300 });
    await p.render("warm", [ctx], [{ template: "{{event.id}}", escape: "none", context: 0 }]);
    const started = Date.now();
    const slow = p.render("a", [ctx], [{ template: SLOW, escape: "none", context: 0 }]);
    await expect(slow).rejects.toBeInstanceOf(TemplateLimitError);
    await expect(slow).rejects.toThrow(/takes longer than 300 ms/);
    // Killed at the deadline, not when the loop would have ended (liquidjs' own 1 s limit or later).
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await p.render("b", [ctx], [{ template: "ok {{event.type}}", escape: "none", context: 0 }])).toEqual([
      { ok: true, text: "ok deal.won" },
    ]);
    expect(p.stats).toMatchObject({ kills: 1, started: 2 });
  });

  it("takes companies in turns: one company's queue of slow renders does not hold up another's", async () => {
    const p = pool({ deadlineMs: 300 });
    await p.render("warm", [ctx], [{ template: "{{event.id}}", escape: "none", context: 0 }]);
    const order: string[] = [];
    const hostile = Array.from({ length: 4 }, (_, i) =>
      p.render("hostile", [ctx], [{ template: SLOW, escape: "none", context: 0 }]).then(
        () => order.push(`hostile${i}`),
        () => order.push(`hostile${i}`),
      ),
    );
    const fair = p
      .render("fair", [ctx], [{ template: "{{event.id}}", escape: "none", context: 0 }])
      .then(() => order.push("fair"));
    await Promise.all([...hostile, fair]);
    // The fair company's render went right after the hostile one's first, not after all four.
    expect(order.indexOf("fair")).toBe(1);
  });
});
