import { generateSigningSecret } from "@/lib/webhooks";
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { webhookSchema, type WebhookInput } from "@/lib/validations/webhook";
import {
  buildBatchRequest,
  buildRequest,
  BuildRequestError,
  flattenParams,
  renderInSandbox,
  signPayload,
  toXml,
  type BuildContext,
  type DeliveryEvent,
} from "./build-request";

const event: DeliveryEvent = {
  id: "evt_123",
  type: "deal.updated",
  occurredAt: "2026-03-01T10:00:00.000Z",
  data: {
    id: "d-42",
    name: "Big deal & <co>",
    stage: "Won",
    amount: 1200,
    owner: { email: "owner@example.com", name: "Ann" },
    tags: ["a", "b"],
  },
  previous: { stage: "Open" },
};

function config(overrides: Partial<WebhookInput> = {}) {
  return webhookSchema.parse({
    name: "Hook",
    eventType: "deal.updated",
    url: "https://receiver.example.com/hook",
    ...overrides,
  });
}

function ctx(overrides: Partial<BuildContext> = {}): BuildContext {
  return {
    deliveryId: "dlv_0001",
    timestamp: new Date(),
    signingSecrets: [generateSigningSecret()],
    secrets: {},
    ...overrides,
  };
}

describe("buildRequest: body modes and encodings", () => {
  it("raw JSON sends the whole event envelope", () => {
    const req = buildRequest(config(), event, ctx());
    expect(req.method).toBe("POST");
    expect(req.headers["Content-Type"]).toBe("application/json");
    expect(JSON.parse(req.body!)).toEqual({
      id: "evt_123",
      type: "deal.updated",
      occurredAt: event.occurredAt,
      data: event.data,
      previous: { stage: "Open" },
    });
  });

  it("raw with no previous sends previous: null", () => {
    const req = buildRequest(config(), { ...event, previous: undefined }, ctx());
    expect(JSON.parse(req.body!).previous).toBeNull();
  });

  it("json_array wraps the payload in an array", () => {
    const req = buildRequest(config({ body: { mode: "raw", encoding: "json_array" } }), event, ctx());
    const body = JSON.parse(req.body!);
    expect(Array.isArray(body)).toBe(true);
    expect(body[0].id).toBe("evt_123");
  });

  it("fields picks dotted paths, renames with `as`, adds constants; missing fields are null", () => {
    const req = buildRequest(
      config({
        body: {
          mode: "fields",
          encoding: "json",
          fields: [
            { path: "data.owner.email", as: "email" },
            { path: "stage" },
            { path: "event.type", as: "trigger" },
            { path: "previous.stage", as: "was" },
            { path: "data.nope", as: "missing" },
          ],
          constants: [{ name: "source", value: "hookrelay" }],
        },
      }),
      event,
      ctx(),
    );
    expect(JSON.parse(req.body!)).toEqual({
      email: "owner@example.com",
      stage: "Won",
      trigger: "deal.updated",
      was: "Open",
      missing: null,
      source: "hookrelay",
    });
  });

  it("xml is well formed with root <event>, sanitised names and escaped values", () => {
    const req = buildRequest(
      config({ body: { mode: "raw", encoding: "xml" } }),
      { ...event, data: { ...event.data, "1 bad key!": "x", xmlThing: "y", note: 'he said "hi" <b>' } },
      ctx(),
    );
    expect(req.headers["Content-Type"]).toMatch(/^application\/xml/);
    const body = req.body!;
    expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?><event>')).toBe(true);
    expect(body.endsWith("</event>")).toBe(true);
    expect(body).toContain("<name>Big deal &amp; &lt;co&gt;</name>");
    expect(body).toContain("<_1_bad_key_>x</_1_bad_key_>");
    expect(body).toContain("<_xmlThing>y</_xmlThing>");
    expect(body).toContain("<tags><item>a</item><item>b</item></tags>");
    expect(body).toContain("<note>he said &quot;hi&quot; &lt;b&gt;</note>");
    expect(body).not.toContain("<b>");
  });

  it("toXml: every element is balanced and names are valid", () => {
    const xml = toXml({ "": 1, "-x": 2, "a b": { "c:d": [null, { e: true }] } });
    const names = [...xml.matchAll(/<\/?([^\s>/?]+)/g)].map((m) => m[1]);
    for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
    expect(xml).toContain("<a_b><c_d><item/><item><e>true</e></item></c_d></a_b>");
  });

  it("form flattens nested objects with brackets", () => {
    const req = buildRequest(config({ body: { mode: "raw", encoding: "form" } }), event, ctx());
    expect(req.headers["Content-Type"]).toBe("application/x-www-form-urlencoded");
    const params = new URLSearchParams(req.body!);
    expect(params.get("id")).toBe("evt_123");
    expect(params.get("data[owner][email]")).toBe("owner@example.com");
    expect(params.get("data[tags][1]")).toBe("b");
    expect(params.get("data[name]")).toBe("Big deal & <co>");
    expect(params.get("previous[stage]")).toBe("Open");
  });

  it("flattenParams handles null and nesting", () => {
    expect(flattenParams({ a: { b: 1, c: null }, d: [true] })).toEqual([
      ["a[b]", "1"],
      ["a[c]", ""],
      ["d[0]", "true"],
    ]);
  });

  it("text sends plain text", () => {
    const req = buildRequest(
      config({ body: { mode: "template", encoding: "text", template: "Deal {{data.name}} is {{data.stage}}" } }),
      event,
      ctx(),
    );
    expect(req.headers["Content-Type"]).toBe("text/plain; charset=utf-8");
    expect(req.body).toBe("Deal Big deal & <co> is Won");
  });

  it("a JSON template escapes hostile event data and stays valid JSON", () => {
    const hostile = 'x", "admin": true, "y": "{{event.id}}\r\n<script>';
    const req = buildRequest(
      config({
        body: {
          mode: "template",
          encoding: "json",
          template:
            '{"name": "{{data.name}}", "amount": {{data.amount}}, "owner": {{data.owner}}, "missing": "{{data.nope}}"}',
        },
      }),
      { ...event, data: { ...event.data, name: hostile } },
      ctx(),
    );
    expect(JSON.parse(req.body!)).toEqual({
      name: hostile,
      amount: 1200,
      owner: { email: "owner@example.com", name: "Ann" },
      missing: "",
    });
  });

  it("a json_array template is wrapped in an array", () => {
    const req = buildRequest(
      config({ body: { mode: "template", encoding: "json_array", template: '{"id": "{{data.id}}"}' } }),
      event,
      ctx(),
    );
    expect(JSON.parse(req.body!)).toEqual([{ id: "d-42" }]);
  });

  it("an XML template escapes event data", () => {
    const req = buildRequest(
      config({ body: { mode: "template", encoding: "xml", template: "<deal><name>{{data.name}}</name></deal>" } }),
      event,
      ctx(),
    );
    expect(req.body).toBe("<deal><name>Big deal &amp; &lt;co&gt;</name></deal>");
  });

  it("a form template URL-encodes values", () => {
    const req = buildRequest(
      config({ body: { mode: "template", encoding: "form", template: "name={{data.name}}&stage={{data.stage}}" } }),
      event,
      ctx(),
    );
    expect(new URLSearchParams(req.body!).get("name")).toBe("Big deal & <co>");
  });

  it("a template error becomes a BuildRequestError", () => {
    const run = () =>
      buildRequest(
        config({ body: { mode: "template", encoding: "json", template: "{{ data.id | nope }}" } }),
        event,
        ctx(),
      );
    expect(run).toThrow(BuildRequestError);
    try {
      run();
    } catch (e) {
      expect((e as BuildRequestError).code).toBe("template");
    }
  });
});

describe("buildRequest: URL, GET/DELETE and entity parameters", () => {
  it("fills URL placeholders with URL-encoded values", () => {
    const req = buildRequest(
      config({ url: "https://r.example.com/deals/{{data.id}}?name={{data.name}}&who={{data.owner.email}}" }),
      event,
      ctx(),
    );
    const url = new URL(req.url);
    expect(url.pathname).toBe("/deals/d-42");
    expect(url.searchParams.get("name")).toBe("Big deal & <co>");
    expect(url.searchParams.get("who")).toBe("owner@example.com");
  });

  it("a value cannot change the URL's host or path structure", () => {
    const req = buildRequest(
      config({ url: "https://r.example.com/x/{{data.id}}" }),
      { ...event, data: { id: "../../@evil.example.com/?a=b#c" } },
      ctx(),
    );
    const url = new URL(req.url);
    expect(url.host).toBe("r.example.com");
    expect(url.pathname.startsWith("/x/")).toBe(true);
    expect(url.search).toBe("");
  });

  it("a missing URL placeholder renders empty", () => {
    expect(buildRequest(config({ url: "https://r.example.com/a/{{data.nope}}" }), event, ctx()).url).toBe(
      "https://r.example.com/a/",
    );
  });

  it("GET sends no body and puts the fields in the query string", () => {
    const req = buildRequest(
      config({
        method: "GET",
        body: {
          mode: "fields",
          encoding: "json",
          fields: [{ path: "data.id", as: "dealId" }, { path: "owner.email" }],
          constants: [{ name: "k", value: "v w" }],
        },
      }),
      event,
      ctx(),
    );
    expect(req.body).toBeNull();
    expect(req.headers["Content-Type"]).toBeUndefined();
    const url = new URL(req.url);
    expect(url.searchParams.get("dealId")).toBe("d-42");
    expect(url.searchParams.get("owner.email")).toBe("owner@example.com");
    expect(url.searchParams.get("k")).toBe("v w");
  });

  it("DELETE in raw mode flattens the envelope into the query string", () => {
    const req = buildRequest(config({ method: "DELETE", url: "https://r.example.com/h?keep=1" }), event, ctx());
    expect(req.body).toBeNull();
    const url = new URL(req.url);
    expect(url.searchParams.get("keep")).toBe("1");
    expect(url.searchParams.get("data[owner][email]")).toBe("owner@example.com");
  });

  it("GET with a template uses the rendered template as query parameters", () => {
    const req = buildRequest(
      config({
        method: "GET",
        body: { mode: "template", encoding: "text", template: "?id={{data.id}}&n={{data.name}}" },
      }),
      event,
      ctx(),
    );
    const url = new URL(req.url);
    expect(url.searchParams.get("id")).toBe("d-42");
    expect(url.searchParams.get("n")).toBe("Big deal & <co>");
  });

  it("includeEntityParams appends LeadSquared's entityType, entityId, eventType", () => {
    const req = buildRequest(
      config({ url: "https://api.yourcompany.com/leads/add", includeEntityParams: true }),
      event,
      ctx({ webhookId: "b329c2b2-854c-11e6-8f87-22000aa8e760" }),
    );
    const url = new URL(req.url);
    expect(url.searchParams.get("entityType")).toBe("Webhook");
    expect(url.searchParams.get("entityId")).toBe("b329c2b2-854c-11e6-8f87-22000aa8e760");
    expect(url.searchParams.get("eventType")).toBe("deal.updated");
  });

  it("LeadSquared naming: the eventType parameter, the body's type, event.type and {{event.type}} read Opportunity_Post_Update", async () => {
    const ls = { eventNaming: "leadsquared" as const };
    const withParams = buildRequest(
      config({ ...ls, url: "https://api.yourcompany.com/leads/add", includeEntityParams: true }),
      event,
      ctx({ webhookId: "b329c2b2-854c-11e6-8f87-22000aa8e760" }),
    );
    expect(new URL(withParams.url).searchParams.get("eventType")).toBe("Opportunity_Post_Update");
    expect(JSON.parse(withParams.body!)).toMatchObject({ id: "evt_123", type: "Opportunity_Post_Update" });
    expect(withParams.maskedBody).toBe(withParams.body);

    const picked = buildRequest(
      config({ ...ls, body: { mode: "fields", fields: [{ path: "event.type", as: "eventType" }], constants: [] } }),
      event,
      ctx(),
    );
    expect(JSON.parse(picked.body!)).toEqual({ eventType: "Opportunity_Post_Update" });

    const template = config({ ...ls, body: { mode: "template", template: '{"eventType":"{{event.type}}"}' } });
    expect(JSON.parse(buildRequest(template, event, ctx()).body!)).toEqual({ eventType: "Opportunity_Post_Update" });
    // The sandbox gets the same context as the builder.
    const seen: unknown[] = [];
    await renderInSandbox(
      async (_key, contexts, items) => (seen.push(...contexts), items.map(() => ({ ok: true as const, text: "" }))),
      "co",
      template,
      [event],
    );
    expect(seen).toEqual([
      expect.objectContaining({ event: expect.objectContaining({ type: "Opportunity_Post_Update" }) }),
    ]);

    const get = buildRequest(config({ ...ls, method: "GET" }), event, ctx());
    expect(new URL(get.url).searchParams.get("type")).toBe("Opportunity_Post_Update");
    const batch = buildBatchRequest(config(ls), [event, { ...event, id: "evt_2", type: "lead.created" }], ctx());
    expect(JSON.parse(batch.body!).map((e: { type: string }) => e.type)).toEqual([
      "Opportunity_Post_Update",
      "Lead_Post_Create",
    ]);
    // Hookrelay's naming, the default, sends the catalog's type.
    expect(JSON.parse(buildRequest(config(), event, ctx()).body!).type).toBe("deal.updated");
    expect(config().eventNaming).toBe("hookrelay");
    expect(() => config({ eventNaming: "salesforce" as never })).toThrow(/eventNaming must be/);
  });

  it("refuses a URL that is not http(s) or holds credentials after placeholders", () => {
    expect(() => buildRequest(config({ url: "https://{{data.nope}}" }), event, ctx())).toThrow(BuildRequestError);
    const withCreds = { ...config(), url: "https://user:pw@r.example.com/" };
    expect(() => buildRequest(withCreds, event, ctx())).toThrow(/user name or password/);
    const ftp = { ...config(), url: "ftp://r.example.com/" };
    expect(() => buildRequest(ftp, event, ctx())).toThrow(/http or https/);
  });
});

describe("buildRequest: auth, custom headers and masking", () => {
  it("basic auth", () => {
    const req = buildRequest(
      config({ auth: { type: "basic", username: "ann" } }),
      event,
      ctx({ secrets: { basicPassword: "s3cret-pass" } }),
    );
    const token = Buffer.from("ann:s3cret-pass").toString("base64");
    expect(req.headers.Authorization).toBe(`Basic ${token}`);
    expect(req.maskedHeaders.Authorization).not.toContain(token);
    expect(req.maskedHeaders.Authorization).toMatch(/^Basic .*••••••/);
  });

  it("api key in a header", () => {
    const req = buildRequest(
      config({ auth: { type: "api_key", in: "header", name: "X-Api-Key", value: "form-value-ignored" } }),
      event,
      ctx({ secrets: { apiKeyValue: "sk_live_abcdef123456" } }),
    );
    expect(req.headers["X-Api-Key"]).toBe("sk_live_abcdef123456");
    expect(req.maskedHeaders["X-Api-Key"]).toBe("sk_l••••••3456");
  });

  it("api key in the query string, masked in maskedUrl", () => {
    const req = buildRequest(
      config({ auth: { type: "api_key", in: "query", name: "api_key", value: "key+with/odd=chars" } }),
      event,
      ctx(),
    );
    expect(new URL(req.url).searchParams.get("api_key")).toBe("key+with/odd=chars");
    expect(req.maskedUrl).not.toContain("odd");
    expect(new URL(req.maskedUrl).searchParams.get("api_key")).toBe("key+••••••hars");
  });

  it("api key without a value is a typed error", () => {
    expect(() =>
      buildRequest(config({ auth: { type: "api_key", in: "header", name: "X-Key" } }), event, ctx()),
    ).toThrow(BuildRequestError);
  });

  it("bearer token", () => {
    const req = buildRequest(
      config({ auth: { type: "bearer" } }),
      event,
      ctx({ secrets: { bearerToken: "tok_1234567890" } }),
    );
    expect(req.headers.Authorization).toBe("Bearer tok_1234567890");
    // Under 16 characters nothing of the token is shown.
    expect(req.maskedHeaders.Authorization).toBe("Bearer ••••••••");
  });

  it("oauth sends the access token as Bearer, and throws a typed error without one", () => {
    const cfg = config({ auth: { type: "oauth", credentialId: "00000000-0000-4000-8000-000000000001" } });
    expect(
      buildRequest(cfg, event, ctx({ secrets: { oauthAccessToken: "ya29.token-value" } })).headers.Authorization,
    ).toBe("Bearer ya29.token-value");
    try {
      buildRequest(cfg, event, ctx());
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BuildRequestError);
      expect((e as BuildRequestError).code).toBe("oauth_token_missing");
    }
  });

  it("custom headers get placeholders, cannot override the signature headers, and strip CR/LF from data", () => {
    const req = buildRequest(
      config({
        headers: [
          { name: "X-Deal", value: "{{data.id}}" },
          { name: "X-Name", value: "{{data.name}}" },
          { name: "webhook-signature", value: "v1,forged" },
          { name: "Webhook-Id", value: "forged" },
          { name: "Content-Length", value: "1" },
          { name: "X-Secret-Token", value: "abcd1234efgh" },
          { name: "Content-Type", value: "application/vnd.custom+json" },
        ],
      }),
      { ...event, data: { ...event.data, name: "a\r\nX-Injected: yes" } },
      ctx(),
    );
    expect(req.headers["X-Deal"]).toBe("d-42");
    expect(req.headers["X-Name"]).toBe("aX-Injected: yes");
    expect(req.headers["webhook-id"]).toBe("dlv_0001");
    expect(req.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(req.headers["webhook-signature"]).not.toContain("forged");
    expect(Object.keys(req.headers).map((k) => k.toLowerCase())).not.toContain("content-length");
    expect(req.headers["Content-Type"]).toBe("application/vnd.custom+json");
    expect(req.maskedHeaders["X-Secret-Token"]).toBe("••••••••");
    for (const v of Object.values(req.headers)) expect(v).not.toMatch(/[\r\n]/);
  });

  it("auth wins over a custom Authorization header", () => {
    const req = buildRequest(
      config({
        headers: [{ name: "authorization", value: "custom" }],
        auth: { type: "bearer", token: "tok_abcdefgh" },
      }),
      event,
      ctx(),
    );
    const auth = Object.entries(req.headers).filter(([k]) => k.toLowerCase() === "authorization");
    expect(auth).toEqual([["authorization", "Bearer tok_abcdefgh"]]);
  });
});

describe("buildRequest: secret headers and constants", () => {
  const secretConfig = (encoding: "json" | "xml" | "form", method: "POST" | "GET" = "POST") =>
    config({
      method,
      headers: [
        { name: "X-Api-Token", value: "", secret: true },
        { name: "X-Plain", value: "{{data.id}}" },
      ],
      body: {
        mode: "fields",
        encoding,
        fields: [{ path: "data.id", as: "id" }],
        constants: [
          { name: "Authtoken", value: "", secret: true },
          { name: "pin", value: "", secret: true },
          { name: "source", value: "crm" },
        ],
      },
    });
  const secrets = {
    headers: { "x-api-token": "tok-secret-{{not-a-placeholder}}" },
    constants: { Authtoken: "auth&token<secret>value", pin: "42" },
  };

  it.each(["json", "xml", "form"] as const)(
    "are sent as typed (never rendered) and masked in the logged headers and %s body, whatever their length",
    (encoding) => {
      const req = buildRequest(secretConfig(encoding), event, ctx({ secrets }));
      expect(req.headers["X-Api-Token"]).toBe("tok-secret-{{not-a-placeholder}}");
      expect(req.maskedHeaders["X-Api-Token"]).toBe("tok-••••••er}}");
      expect(req.headers["X-Plain"]).toBe("d-42");
      // What was sent holds the real values; what is logged holds them masked (a 2-character one too).
      const read = (body: string): Record<string, string> =>
        encoding === "form"
          ? Object.fromEntries(new URLSearchParams(body))
          : encoding === "json"
            ? JSON.parse(body)
            : Object.fromEntries([...body.matchAll(/<(\w+)>([^<]*)<\//g)].map((m) => [m[1], m[2]]));
      expect(read(req.body!)).toMatchObject({
        id: "d-42",
        Authtoken: encoding === "xml" ? "auth&amp;token&lt;secret&gt;value" : "auth&token<secret>value",
        pin: "42",
        source: "crm",
      });
      expect(read(req.maskedBody!)).toEqual({
        id: "d-42",
        Authtoken: "auth••••••alue",
        pin: "••••••••",
        source: "crm",
      });
    },
  );

  it("in a GET's query string: sent, and masked in the logged URL", () => {
    const req = buildRequest(secretConfig("json", "GET"), event, ctx({ secrets }));
    expect(new URL(req.url).searchParams.get("Authtoken")).toBe("auth&token<secret>value");
    expect(new URL(req.maskedUrl).searchParams.get("Authtoken")).toBe("auth••••••alue");
    expect(new URL(req.maskedUrl).searchParams.get("pin")).toBe("••••••••");
  });

  it("a missing secret value fails the build naming the row; a secret header is never handed to the sandbox", async () => {
    expect(() => buildRequest(secretConfig("json"), event, ctx())).toThrow(
      /^Header X-Api-Token: its secret value is missing/,
    );
    const handed: string[] = [];
    await renderInSandbox(
      async (_key, _contexts, items) => items.map((i) => (handed.push(i.template), { ok: true as const, text: "x" })),
      "co",
      {
        ...secretConfig("json"),
        headers: [
          { name: "X-Api-Token", value: "tok-{{data.id}}", secret: true },
          { name: "X-Plain", value: "{{data.id}}" },
        ],
      },
      [event],
    );
    expect(handed).toEqual(["{{data.id}}"]);
  });
});

describe("Standard Webhooks signatures", () => {
  const now = new Date();

  it("sets webhook-id, webhook-timestamp (unix seconds) and a signature standardwebhooks verifies", () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const req = buildRequest(config(), event, ctx({ timestamp: now, signingSecrets: [secret] }));
    expect(req.headers["webhook-id"]).toBe("dlv_0001");
    expect(req.headers["webhook-timestamp"]).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(new Webhook(secret).verify(req.body!, req.headers)).toEqual(JSON.parse(req.body!));
  });

  it("during a rotation both secrets verify", () => {
    const oldSecret = generateSigningSecret();
    const newSecret = generateSigningSecret();
    const req = buildRequest(
      config({ body: { mode: "raw", encoding: "xml" } }),
      event,
      ctx({ timestamp: now, signingSecrets: [newSecret, oldSecret] }),
    );
    expect(req.headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const s of [oldSecret, newSecret])
      expect(() => new Webhook(s).verify(req.body!, req.headers, { jsonParse: false })).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(req.body!, req.headers, { jsonParse: false })).toThrow();
  });

  it("a tampered body fails verification", () => {
    const secret = generateSigningSecret();
    const req = buildRequest(config(), event, ctx({ timestamp: now, signingSecrets: [secret] }));
    expect(() => new Webhook(secret).verify(req.body!.replace("Won", "Lost"), req.headers)).toThrow();
  });

  it("bodiless requests sign the empty string", () => {
    const secret = generateSigningSecret();
    const req = buildRequest(config({ method: "GET" }), event, ctx({ timestamp: now, signingSecrets: [secret] }));
    expect(req.body).toBeNull();
    expect(() => new Webhook(secret).verify("", req.headers, { jsonParse: false })).not.toThrow();
  });

  it("matches the library's own signer", () => {
    const secret = generateSigningSecret();
    const ts = new Date(1_700_000_000_000);
    expect(signPayload([secret], "msg_1", 1_700_000_000, '{"a":1}')).toBe(
      new Webhook(secret).sign("msg_1", ts, '{"a":1}'),
    );
  });

  it("refuses an invalid secret", () => {
    expect(() => buildRequest(config(), event, ctx({ signingSecrets: ["whsec_"] }))).toThrow(BuildRequestError);
  });
});

describe("buildBatchRequest", () => {
  const second: DeliveryEvent = { ...event, id: "evt_124", data: { ...event.data, id: "d-43" } };

  it("sends the payloads as one JSON array, signed", () => {
    const secret = generateSigningSecret();
    const req = buildBatchRequest(
      config({ body: { mode: "fields", encoding: "xml", fields: [{ path: "data.id", as: "id" }], constants: [] } }),
      [event, second],
      ctx({ signingSecrets: [secret] }),
    );
    expect(req.headers["Content-Type"]).toBe("application/json");
    expect(JSON.parse(req.body!)).toEqual([{ id: "d-42" }, { id: "d-43" }]);
    expect(() => new Webhook(secret).verify(req.body!, req.headers)).not.toThrow();
  });

  it("raw mode batches envelopes; template mode batches parsed JSON", () => {
    expect(
      JSON.parse(buildBatchRequest(config(), [event, second], ctx()).body!).map((e: { id: string }) => e.id),
    ).toEqual(["evt_123", "evt_124"]);
    const tpl = config({ body: { mode: "template", encoding: "json", template: '{"deal": "{{data.id}}"}' } });
    expect(JSON.parse(buildBatchRequest(tpl, [event, second], ctx()).body!)).toEqual([
      { deal: "d-42" },
      { deal: "d-43" },
    ]);
  });

  it("refuses GET/DELETE and empty batches", () => {
    expect(() => buildBatchRequest(config({ method: "GET" }), [event], ctx())).toThrow(BuildRequestError);
    expect(() => buildBatchRequest(config(), [], ctx())).toThrow(BuildRequestError);
  });
});
