import type { Logger } from "pino";

export function runWithLogContext<T>(fields: Record<string, unknown>, fn: () => T): T;
export function logContext(): Record<string, unknown>;
export function acceptableRequestId(value: unknown): string | null;
export function prettyLine(json: string): string;
export function createLogger(options: {
  proc: string;
  level?: string;
  format?: "json" | "pretty";
  mixin?: () => Record<string, unknown> | undefined;
  write?: (line: string) => void;
}): Logger;
export function defaultFormat(given: string | undefined): "json" | "pretty";
