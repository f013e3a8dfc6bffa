import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/openapi.json/route";

const API_DIR = path.resolve(import.meta.dirname, "../app/api/v1");

/** Every route file under app/api/v1 as [OpenAPI path, exported methods]. */
function routeFiles(dir = API_DIR): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...routeFiles(full));
    else if (/^route\.(ts|tsx|js)$/.test(entry.name)) {
      const route = `/api/v1/${path.relative(API_DIR, dir).split(path.sep).join("/")}`.replace(/\[([^\]]+)\]/g, "{$1}");
      const methods = [
        ...readFileSync(full, "utf8").matchAll(
          /export\s+(?:async\s+function|const)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g,
        ),
      ].map((m) => m[1]);
      out.push([route, methods]);
    }
  }
  return out;
}

/** The document is plain JSON. */
type Json = Record<string, any>;

async function fetchDocument(): Promise<Json> {
  const res = await GET();
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("application/json");
  return JSON.parse(await res.text());
}

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document with the bearer scheme and the error shape", async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const error = doc.components.schemas.Error;
    expect(error.properties.error.properties).toHaveProperty("code");
    expect(error.properties.error.properties).toHaveProperty("message");
    expect(error.properties.error.properties).toHaveProperty("field");
    expect(error.properties.error.properties).toHaveProperty("fields");
    for (const ref of refs(doc)) {
      const target = ref
        .replace(/^#\//, "")
        .split("/")
        .reduce<Json | undefined>((node, key) => node?.[key], doc);
      expect(target, ref).toBeDefined();
    }
  });

  it("documents every route file under app/api/v1, method by method, and nothing else", async () => {
    const doc = await fetchDocument();
    const files = routeFiles();
    expect(files.length).toBeGreaterThanOrEqual(11);
    for (const [route, methods] of files) {
      expect(doc.paths, `${route} has no entry in lib/openapi.ts`).toHaveProperty([route]);
      expect(methods.length, route).toBeGreaterThan(0);
      expect(Object.keys(doc.paths[route]).sort(), route).toEqual(methods.map((m) => m.toLowerCase()).sort());
    }
    expect(Object.keys(doc.paths).sort()).toEqual(files.map(([r]) => r).sort());
  });

  it("describes request bodies with the zod schemas' fields (input side: defaults optional)", async () => {
    const doc = await fetchDocument();
    const schemas = doc.components.schemas;
    const webhook = schemas.WebhookInput;
    expect(Object.keys(webhook.properties)).toEqual(
      expect.arrayContaining([
        "name",
        "description",
        "active",
        "eventTypes",
        "triggerMode",
        "conditions",
        "method",
        "url",
        "headers",
        "auth",
        "body",
        "retryPolicy",
        "timeoutSeconds",
        "batchWindowSeconds",
        "maxConcurrency",
        "notifyOnFailure",
      ]),
    );
    expect(webhook.required.sort()).toEqual(["eventTypes", "name", "url"]);
    expect(webhook.properties.eventTypes.type).toBe("array");
    expect(webhook.properties.triggerMode.enum).toEqual(["every", "first_time", "until_first"]);
    const authFields = JSON.stringify(webhook.properties.auth);
    for (const f of ["password", "username", "token", "credentialId", "value"]) expect(authFields).toContain(`"${f}"`);
    expect(JSON.stringify(webhook.properties.headers)).toContain('"name"');
    // Headers and constant parameters take a `secret` switch (optional: a credential-like name defaults to on).
    expect(webhook.properties.headers.items.properties.secret).toMatchObject({ type: "boolean" });
    expect(webhook.properties.headers.items.required).not.toContain("secret");
    expect(JSON.stringify(webhook.properties.body)).toMatch(/"constants":\{[^]*"secret":\{"type":"boolean"/);
    expect(schemas.WebhookPatch.required ?? []).toEqual([]);
    expect(Object.keys(schemas.OAuthCredentialInput.properties)).toEqual(
      expect.arrayContaining(["name", "tokenUrl", "method", "parameters"]),
    );
    expect(Object.keys(schemas.EventInput.properties)).toEqual(
      expect.arrayContaining(["id", "type", "occurredAt", "data", "previous", "owner"]),
    );
    expect(Object.keys(schemas.RotateSecretInput.properties)).toEqual(["overlapHours"]);

    const post = doc.paths["/api/v1/webhooks"].post;
    expect(post.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/WebhookInput" });
    expect(post.responses["422"]).toEqual({ $ref: "#/components/responses/Invalid" });
    expect(post.responses["201"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/CreatedWebhook",
    });
    const history = doc.paths["/api/v1/webhooks/{id}/deliveries"].get;
    expect(history.parameters.map((p: Json) => p.name)).toEqual(["id", "status", "cursor", "limit"]);
    expect(doc.paths["/api/v1/event-types"].get.security).toEqual([]);
  });

  it("never describes a secret in a response", async () => {
    const doc = await fetchDocument();
    const responses = JSON.stringify(
      ["Webhook", "CreatedWebhook", "WebhookList", "OAuthCredential", "OAuthCredentialList", "DeliveryPage"].map(
        (n) => doc.components.schemas[n],
      ),
    );
    for (const secret of ['"password"', '"token"', '"client_secret"', "Encrypted"])
      expect(responses).not.toContain(secret);
  });
});
