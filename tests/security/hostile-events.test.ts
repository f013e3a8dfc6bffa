import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { closeDb } from "@/db";
import { stopWebBoss } from "@/jobs/boss";
import { POST } from "@/app/api/v1/events/route";
import { EVENT_TYPES } from "@/lib/events/catalog";
import { insertWebhook } from "@/lib/webhooks";
import { MAX_EVENTS_BODY_BYTES } from "@/lib/validations/event";
import { keyFor } from "@/tests/api";
import { makeCompany, testEnvironment } from "@/tests/helpers";

/**
 * Issue 7 item 4: hostile input to POST /api/v1/events. Thousands of generated malformed bodies
 * are posted to the real route handler (real API key, real PostgreSQL): each is answered with a
 * 4xx and a JSON `{ error: { code, message } }`, never a 5xx, and a refused body writes nothing —
 * no event, no delivery, no job — even when only one event of a batch is bad.
 *
 * The company has an active webhook for every event type, so any event that got through would
 * write a delivery and a job; their execution delay of a day keeps other test files' workers from
 * taking the jobs.
 */
const env = testEnvironment();

let key: string;
let companyId: string;

beforeAll(async () => {
  const a = await makeCompany(env.deps, "Hostile Input Co");
  companyId = a.companyId;
  key = await keyFor(env.deps, a.owner, "fuzz");
  for (const t of EVENT_TYPES) {
    await insertWebhook(env.db, companyId, a.owner.userId, {
      name: `Every ${t.type}`,
      active: true,
      eventType: t.type,
      url: "http://127.0.0.1:9/never",
      delaySeconds: 86_400,
      retryPolicy: { type: "preset", preset: "none" },
    });
  }
});

afterAll(async () => {
  await stopWebBoss();
  await closeDb();
  await env.close();
});

const TYPES = EVENT_TYPES.map((t) => t.type);

/** Events, deliveries and delivery jobs of the company: what an accepted body writes. */
async function written(): Promise<string> {
  const [row] = await env.db.execute(sql`
    select (select count(*)::int from events where company_id = ${companyId}) as events,
           (select count(*)::int from deliveries where company_id = ${companyId}) as deliveries,
           (select count(*)::int from pgboss.job j where j.name = 'deliver-webhook'
              and j.data->>'deliveryId' in (select id::text from deliveries where company_id = ${companyId})) as jobs`);
  return JSON.stringify(row);
}

interface Answer {
  status: number;
  json: any;
  contentType: string | null;
}

async function post(
  body: string | Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit & { duplex?: "half" } = {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
    body: body as BodyInit,
  };
  if (body instanceof ReadableStream) init.duplex = "half";
  const res = await POST(new Request("http://localhost/api/v1/events", init));
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // asserted below
  }
  return { status: res.status, json, contentType: res.headers.get("content-type") };
}

/** A refusal: a 4xx with the JSON error shape. */
function expectRefusal(answer: Answer, what: string) {
  expect(answer.status, `${what}: ${JSON.stringify(answer.json)?.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(answer.status, what).toBeLessThan(500);
  expect(answer.contentType, what).toContain("application/json");
  expect(answer.json?.error?.code, what).toEqual(expect.any(String));
  expect(answer.json?.error?.message, what).toEqual(expect.any(String));
}

/** Posts `body`; a refusal must leave the database as it was, an acceptance must be a 202. */
async function postAndCheck(
  body: string | Uint8Array,
  what: string,
  opts: { mustRefuse?: boolean; status?: number } = {},
) {
  const before = await written();
  const answer = await post(body);
  expect(answer.status, `${what} → 5xx`).toBeLessThan(500);
  if (opts.mustRefuse || answer.status !== 202) {
    expectRefusal(answer, what);
    if (opts.status) expect(answer.status, what).toBe(opts.status);
    expect(await written(), `${what}: a refused body wrote something`).toBe(before);
  } else {
    expect(answer.json.events).toEqual(expect.any(Array));
  }
  return answer;
}

const preview = (s: string | Uint8Array) =>
  (typeof s === "string" ? s : Buffer.from(s).toString("latin1")).slice(0, 200);

// ---------------------------------------------------------------------------------------------
// Generators

/** Characters that break things: NUL, lone surrogates, CR/LF, quotes, template and markup syntax. */
const hostileUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "\u0000",
      "\r\n",
      "\n",
      '"',
      "\\",
      "{{data.id}}",
      "{% raw %}",
      "<script>",
      "]]>",
      "&",
      "\u2028",
      "\uFEFF",
      "\uFFFF",
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
);
const hostileString = fc.string({ unit: hostileUnit, maxLength: 40 });
const anyJson = fc.jsonValue({ maxDepth: 5, stringUnit: hostileUnit });

const validType = fc.constantFrom(...TYPES);
const recordId = fc.oneof(fc.string({ minLength: 1, maxLength: 20, unit: "grapheme-ascii" }), fc.integer());
const plainRecord = fc.dictionary(
  fc
    .string({ unit: "grapheme-ascii", minLength: 1, maxLength: 8 })
    .filter((k) => !["__proto__", "constructor", "prototype"].includes(k)),
  fc.oneof(fc.string({ unit: "grapheme-ascii", maxLength: 12 }), fc.integer(), fc.boolean()),
  { maxKeys: 4 },
);

/** An event the API accepts. */
const validEvent = fc.record(
  {
    type: validType,
    data: fc.tuple(plainRecord, recordId).map(([rest, id]) => ({ ...rest, id })),
    previous: plainRecord,
    occurredAt: fc
      .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString()),
  },
  { requiredKeys: ["type", "data"] },
);

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
const notARecord = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.string({ maxLength: 5 }),
  fc.array(fc.integer(), { maxLength: 2 }),
);

type Mutation = (e: Record<string, unknown>) => Record<string, unknown>;
const mutation = (label: string, mutate: Mutation) => ({ label, mutate });

/** Turns a valid event into one the API must refuse: wrong types, missing fields, bad values. */
const breakEvent: fc.Arbitrary<{ label: string; mutate: Mutation }> = fc.oneof(
  notAString.map((v) => mutation(`type=${JSON.stringify(v)}`, (e) => ({ ...e, type: v }))),
  fc
    .string({ maxLength: 30 })
    .filter((s) => !TYPES.includes(s))
    .map((v) => mutation(`unknown type ${JSON.stringify(v)}`, (e) => ({ ...e, type: v }))),
  fc.constant(mutation("no type", ({ type: _t, ...e }) => e)),
  fc.constant(mutation("no data", ({ data: _d, ...e }) => e)),
  notARecord.map((v) => mutation(`data=${JSON.stringify(v)}`, (e) => ({ ...e, data: v }))),
  fc.constant(null).map((v) => mutation("data=null", (e) => ({ ...e, data: v }))),
  fc
    .oneof(fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.constant({}))
    .map((v) => mutation(`data.id=${JSON.stringify(v)}`, (e) => ({ ...e, data: { ...(e.data as object), id: v } }))),
  fc.constant(mutation("data without id", (e) => ({ ...e, data: { name: "no id" } }))),
  fc
    .oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(""),
      fc.constant("   "),
      fc.string({ minLength: 201, maxLength: 400 }).filter((s) => s.trim().length > 200),
    )
    .map((v) => mutation(`id=${JSON.stringify(v).slice(0, 40)}`, (e) => ({ ...e, id: v }))),
  fc
    .oneof(
      fc.integer(),
      fc.constant("yesterday"),
      fc.constant("2026-02-30T00:00:00Z"),
      fc.constant("2026-13-01T00:00:00Z"),
      fc.constant("2026-01-01"),
      fc.string({ maxLength: 10 }),
    )
    .map((v) => mutation(`occurredAt=${JSON.stringify(v)}`, (e) => ({ ...e, occurredAt: v }))),
  notARecord.map((v) => mutation(`previous=${JSON.stringify(v)}`, (e) => ({ ...e, previous: v }))),
  fc
    .oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant({ email: "not an email" }), fc.constant({ email: 5 }))
    .map((v) => mutation(`owner=${JSON.stringify(v)}`, (e) => ({ ...e, owner: v }))),
);

/** JSON text of `value` with `key` set inside data or previous at some depth (as JSON.parse makes own `__proto__`
 * keys). */
function withForbiddenKey(
  event: Record<string, unknown>,
  where: "data" | "previous",
  key: string,
  depth: number,
): string {
  let inner = `{${JSON.stringify(key)}:{"isAdmin":true,"polluted":"yes"}}`;
  for (let i = 0; i < depth; i++) inner = `{"level${i}":${inner}}`;
  const holder = JSON.stringify({ ...(event[where] as object), __SLOT__: 0 });
  // Replacement functions: a key such as "$&" must not be read as a replacement pattern.
  const text = holder.replace('"__SLOT__":0', () => `"nested":${inner}`);
  const rest = JSON.stringify({ ...event, [where]: "__HOLDER__" });
  return rest.replace('"__HOLDER__"', () => text);
}

function nested(depth: number, kind: "array" | "object"): string {
  return kind === "array" ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Byte sequences that are not UTF-8. */
const invalidUtf8 = fc.oneof(
  fc.integer({ min: 0x80, max: 0xbf }).map((b) => [b]), // lone continuation byte
  fc.integer({ min: 0xc2, max: 0xf4 }).map((b) => [b]), // lead byte without its continuation
  fc.constantFrom([0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xf0, 0x80, 0x80, 0x80]), // overlong
  fc.constantFrom([0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf]), // UTF-16 surrogates encoded (CESU-8)
  fc.constantFrom([0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xfe], [0xff]), // beyond U+10FFFF / never valid
);

const RUNS = { seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) };

// ---------------------------------------------------------------------------------------------

describe("POST /api/v1/events under hostile input", () => {
  it("any JSON value, and objects shaped almost like events: never a 5xx; a refusal writes nothing", async () => {
    const eventLike = fc.record(
      {
        id: fc.oneof(hostileString, anyJson),
        type: fc.oneof(validType, anyJson),
        occurredAt: fc.oneof(
          anyJson,
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? "x" : d.toISOString())),
        ),
        data: fc.oneof(
          anyJson,
          fc.dictionary(hostileString, anyJson, { maxKeys: 5 }).map((d) => ({ ...d, id: "r1" })),
        ),
        previous: anyJson,
        owner: anyJson,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(anyJson, eventLike, fc.array(eventLike, { maxLength: 5 }));
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const text = JSON.stringify(value);
        await postAndCheck(text, `body ${preview(text)}`);
      }),
      { ...RUNS, numRuns: 700 },
    );
  });

  it("a batch with one bad event (wrong type, missing or invalid field) writes none of its events", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(validEvent, { minLength: 0, maxLength: 30 }),
        breakEvent,
        validEvent,
        fc.nat(),
        async (good, broken, victim, at) => {
          const bad = broken.mutate(victim as Record<string, unknown>);
          const batch = [...good];
          batch.splice(at % (good.length + 1), 0, bad as (typeof good)[number]);
          await postAndCheck(JSON.stringify(batch), `batch of ${batch.length} with ${broken.label}`, {
            mustRefuse: true,
          });
        },
      ),
      { ...RUNS, numRuns: 500 },
    );
  });

  it("strings no database column can hold (NUL, lone surrogates) and numbers beyond double range are refused with a 4xx", async () => {
    const unstorable = fc.oneof(
      fc.constant("\\u0000"),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `\\u${c.toString(16)}`),
      fc.constant("\\udc00\\ud800"), // reversed pair
    );
    const where = fc.constantFrom(
      "id",
      "data.id",
      "data.value",
      "data.key",
      "previous.value",
      "previous.key",
      "owner.email",
    );
    await fc.assert(
      fc.asyncProperty(
        validEvent,
        unstorable,
        where,
        fc.string({ unit: "grapheme-ascii", maxLength: 5 }),
        async (event, escape, place, around) => {
          const safe = around.replace(/["\\]/g, "");
          const s = `"${safe}${escape}${safe}"`;
          const e = {
            ...event,
            data: { ...event.data },
            previous: { ...(event.previous ?? {}) },
            owner: {} as Record<string, unknown>,
          };
          let text: string;
          if (place === "data.key" || place === "previous.key") {
            const target = place === "data.key" ? "data" : "previous";
            text = JSON.stringify({ ...e, [target]: { ...(e[target] as object), __SLOT__: 1 } }).replace(
              '"__SLOT__"',
              () => s,
            );
          } else {
            const [obj, field] = place.includes(".") ? place.split(".") : [null, place];
            const marker = "__VALUE_SLOT__";
            const copy: Record<string, any> = { ...e };
            if (obj) copy[obj] = { ...copy[obj], [field]: marker };
            else copy[field] = marker;
            text = JSON.stringify(copy).replace(`"${marker}"`, () => s);
          }
          await postAndCheck(text, `${place} holding ${escape}: ${preview(text)}`, { mustRefuse: true });
        },
      ),
      { ...RUNS, numRuns: 200 },
    );
    for (const n of ["1e400", "-1e400", "1e309"]) {
      await postAndCheck(`{"type":"contact.created","data":{"id":${n}}}`, `data.id ${n}`, { mustRefuse: true });
      await postAndCheck(`{"type":"contact.created","data":{"id":"x","amount":${n}}}`, `data.amount ${n}`, {
        mustRefuse: true,
      });
    }
  });

  it("occurredAt outside what the database can store is a 4xx (years 0000, 10000 after the offset)", async () => {
    const edge = fc.constantFrom(
      "0000-01-01T00:00:00Z",
      "0001-01-01T00:00:00+14:00",
      "0000-12-31T23:59:59.999Z",
      "9999-12-31T23:59:59-23:59",
      "9999-12-31T23:59:59.999-01:00",
      "0000-02-29T12:00:00+00:00",
    );
    await fc.assert(
      fc.asyncProperty(validEvent, edge, async (event, occurredAt) => {
        await postAndCheck(JSON.stringify({ ...event, occurredAt }), `occurredAt ${occurredAt}`, {
          mustRefuse: true,
          status: 422,
        });
      }),
      { ...RUNS, numRuns: 30 },
    );
    // The edges that are storable still are.
    for (const occurredAt of ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1970-01-01T00:00:00+14:00"]) {
      const answer = await post(JSON.stringify({ type: "contact.created", occurredAt, data: { id: "edge" } }));
      expect(answer.status, `${occurredAt}: ${JSON.stringify(answer.json)}`).toBe(202);
    }
  });

  it("__proto__, constructor and prototype keys at any depth of data or previous: 422, nothing written, no prototype polluted", async () => {
    await fc.assert(
      fc.asyncProperty(
        validEvent,
        fc.constantFrom("data", "previous") as fc.Arbitrary<"data" | "previous">,
        fc.constantFrom("__proto__", "constructor", "prototype"),
        fc.nat({ max: 30 }),
        async (event, where, forbidden, depth) => {
          const text = withForbiddenKey(event as Record<string, unknown>, where, forbidden, depth);
          expect(text).toContain(JSON.stringify(forbidden));
          await postAndCheck(text, `${forbidden} in ${where} at depth ${depth}`, { mustRefuse: true, status: 422 });
          expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype).not.toHaveProperty("polluted");
        },
      ),
      { ...RUNS, numRuns: 200 },
    );
    // At the top of an event (outside data) the keys are dropped by the schema, not stored.
    const top = await post(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"type":"contact.created","data":{"id":"top"}}',
    );
    expect(top.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("deep nesting (data, previous or the whole body) is refused, never a stack overflow", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 33, max: 20_000 }),
        fc.constantFrom("array", "object") as fc.Arbitrary<"array" | "object">,
        fc.constantFrom("data", "previous", "body"),
        async (depth, kind, where) => {
          const deep = nested(depth, kind);
          const text =
            where === "body"
              ? deep
              : `{"type":"contact.created","data":{"id":"d"${where === "data" ? `,"deep":${deep}` : ""}}${where === "previous" ? `,"previous":{"deep":${deep}}` : ""}}`;
          await postAndCheck(text, `nesting ${depth} (${kind}) in ${where}`, { mustRefuse: true });
        },
      ),
      { ...RUNS, numRuns: 60 },
    );
  });

  it("bytes that are not UTF-8, anywhere in an otherwise valid body: 400", async () => {
    await fc.assert(
      fc.asyncProperty(validEvent, invalidUtf8, fc.nat(), async (event, bad, at) => {
        const bytes = utf8(JSON.stringify(event));
        // Inside a string value or between tokens: either way the body is refused as a whole.
        const i = at % (bytes.length + 1);
        const body = new Uint8Array([...bytes.slice(0, i), ...bad, ...bytes.slice(i)]);
        const answer = await postAndCheck(body, `bytes ${bad.map((b) => b.toString(16)).join(" ")} at ${i}`, {
          mustRefuse: true,
          status: 400,
        });
        expect(answer.json.error.code).toBe("malformed");
      }),
      { ...RUNS, numRuns: 300 },
    );
  });

  it("non-JSON, empty and truncated bodies: 400", async () => {
    const nonJson = fc.oneof(
      fc.constant(""),
      fc.constant("   "),
      fc.string({ maxLength: 50 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      validEvent.chain((e) => {
        const t = JSON.stringify(e);
        return fc.integer({ min: 1, max: t.length - 1 }).map((n) => t.slice(0, n));
      }),
      fc.constantFrom(
        "{type: 'contact.created'}",
        "{'a':1}",
        "NaN",
        "undefined",
        '{"a":1,}',
        "[1,]",
        "<xml/>",
        "type=contact.created&data[id]=1",
      ),
    );
    await fc.assert(
      fc.asyncProperty(nonJson, async (text) => {
        await postAndCheck(text, `non-JSON ${JSON.stringify(text).slice(0, 80)}`, { mustRefuse: true, status: 400 });
      }),
      { ...RUNS, numRuns: 300 },
    );
  });

  it("a UTF-8 byte order mark before the JSON is read as UTF-8 (stripped), not as a character", async () => {
    const answer = await post(
      new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"type":"contact.created","data":{"id":"bom"}}')]),
    );
    expect(answer.status, JSON.stringify(answer.json)).toBe(202);
  });

  it("arrays of 101 to 150 events: 413, nothing written", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 101, max: 150 }), validEvent, async (n, event) => {
        const answer = await postAndCheck(JSON.stringify(Array.from({ length: n }, () => event)), `${n} events`, {
          mustRefuse: true,
          status: 413,
        });
        expect(answer.json.error.message).toContain("100");
      }),
      { ...RUNS, numRuns: 20 },
    );
    // An empty array is refused too (422), and exactly 100 is accepted.
    await postAndCheck("[]", "empty batch", { mustRefuse: true, status: 422 });
    const hundred = await post(
      JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ type: "contact.created", data: { id: `c${i}` } }))),
    );
    expect(hundred.status).toBe(202);
  });

  it("exactly 1 MiB + 1 byte is 413 (with or without Content-Length); exactly 1 MiB is accepted", async () => {
    const exact = (size: number) => {
      const head = '{"type":"contact.created","data":{"id":"big","pad":"';
      const tail = '"}}';
      return head + "x".repeat(size - head.length - tail.length) + tail;
    };
    const limit = MAX_EVENTS_BODY_BYTES;
    expect(limit).toBe(1024 * 1024);
    const over = exact(limit + 1);
    expect(utf8(over).byteLength).toBe(limit + 1);

    const before = await written();
    const declared = await post(over, { "content-length": String(limit + 1) });
    expectRefusal(declared, "1 MiB + 1 with Content-Length");
    expect(declared.status).toBe(413);

    // Streamed in chunks, without a Content-Length: the cap is enforced while reading.
    const bytes = utf8(over);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await post(stream);
    expectRefusal(streamed, "1 MiB + 1 streamed");
    expect(streamed.status).toBe(413);

    // A lying Content-Length (small) does not let a larger body through.
    const lying = await post(over, { "content-length": "10" });
    expect(lying.status).toBeLessThan(500);
    expect(lying.status).not.toBe(202);
    expect(await written()).toBe(before);

    // Multi-byte characters count as bytes, not characters.
    const euro = '{"type":"contact.created","data":{"id":"eur","pad":"' + "€".repeat(Math.ceil(limit / 3)) + '"}}';
    expect((await post(euro)).status).toBe(413);

    const atLimit = await post(exact(limit));
    expect(atLimit.status, JSON.stringify(atLimit.json)).toBe(202);
  });

  it("huge strings under the cap in every field: a 4xx where a limit applies, never a 5xx", async () => {
    const big = (n: number) => "é".repeat(n);
    const cases: [string, string][] = [
      ["type", JSON.stringify({ type: big(400_000), data: { id: 1 } })],
      ["id", JSON.stringify({ id: big(300_000), type: "contact.created", data: { id: 1 } })],
      ["data.id", JSON.stringify({ type: "contact.created", data: { id: big(400_000) } })],
      ["occurredAt", JSON.stringify({ type: "contact.created", occurredAt: big(400_000), data: { id: 1 } })],
      [
        "owner.email",
        JSON.stringify({ type: "contact.created", owner: { email: `${big(300_000)}@example.com` }, data: { id: 1 } }),
      ],
      ["a key", `{"type":"contact.created","data":{"id":1,${JSON.stringify(big(400_000))}:1}}`],
    ];
    for (const [what, text] of cases) await postAndCheck(text, `huge ${what}`);
  });
});
