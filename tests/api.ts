import { createApiKey } from "@/lib/actions/api-keys";
import type { ActionDeps, Caller } from "@/lib/action";

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

export interface ApiResponse {
  status: number;
  text: string;
  json: any;
}

/** Creates an API key as `caller` (who needs Manage API Keys); returns the plaintext key. */
export async function keyFor(deps: ActionDeps, caller: Caller, name = "management"): Promise<string> {
  const created = await createApiKey.run(deps, caller, { name });
  if (!created.ok) throw new Error(created.error);
  return created.data.key;
}

/**
 * Calls route handlers directly with a `Request`, as Next would, authenticated with `key`. Every
 * response body is kept in `transcript`, for tests that search all responses for a secret.
 */
export function apiClient(key: string | null) {
  const transcript: string[] = [];
  async function call<P extends Record<string, string>>(
    handler: Handler<P>,
    path: string,
    init: { method?: string; body?: unknown; raw?: string; params?: P; key?: string | null; contentType?: string } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    const k = init.key === undefined ? key : init.key;
    if (k) headers.authorization = `Bearer ${k}`;
    let body: string | undefined;
    if (init.raw !== undefined) body = init.raw;
    else if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined) headers["content-type"] = init.contentType ?? "application/json";
    const res = await handler(new Request(`http://localhost${path}`, { method: init.method ?? "GET", headers, body }), {
      params: Promise.resolve((init.params ?? {}) as P),
    });
    const text = await res.text();
    transcript.push(text);
    return { status: res.status, text, json: text ? JSON.parse(text) : null };
  }
  return { call, transcript };
}
