/**
 * A render sandbox process (see render-pool.ts): renders the templates it is sent, one message at a
 * time, and answers each. It holds nothing of the app but the template engine: no database, no
 * secrets, no sockets. It may be killed at any moment (deadline, memory cap) and is then replaced.
 */
import { renderTemplate, TemplateLimitError, type TemplateEscape } from "../events/template";
import type { SandboxItemResult, SandboxRequest, SandboxResponse } from "./protocol";

function renderOne(template: string, context: Record<string, unknown>, escape: TemplateEscape): SandboxItemResult {
  try {
    return { ok: true, text: renderTemplate(template, context, { escape }) };
  } catch (err) {
    return {
      ok: false,
      limit: err instanceof TemplateLimitError,
      message: err instanceof Error ? err.message : String(err),
    };
  }
}

process.on("message", (raw) => {
  const request = raw as SandboxRequest;
  const results = request.items.map((item) =>
    renderOne(item.template, request.contexts[item.context] ?? {}, item.escape),
  );
  process.send?.({ id: request.id, results } satisfies SandboxResponse);
});
// The pool goes away: so does this process.
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true });
