import type { TemplateEscape } from "../events/template";

/** One template to render against one of the request's contexts. */
export interface SandboxItem {
  template: string;
  escape: TemplateEscape;
  /** Index into the request's contexts (a batch window renders its body once per event). */
  context: number;
}

export interface SandboxRequest {
  id: number;
  contexts: Record<string, unknown>[];
  items: SandboxItem[];
}

export type SandboxItemResult = { ok: true; text: string } | { ok: false; limit: boolean; message: string };

export type SandboxResponse = { id: number; results: SandboxItemResult[] } | { ready: true };
