/**
 * Date formatting shared by pages. Always en-US and UTC so the server and the browser render the
 * same string (no hydration mismatch, no dependence on the machine's locale or time zone).
 */
export type DateInput = Date | string | number;

const dateTimeFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

const dateFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  year: "numeric",
  month: "short",
  day: "numeric",
});

const relativeFormat = new Intl.RelativeTimeFormat("en-US", { numeric: "auto" });

function toDate(value: DateInput): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "Mar 4, 2026, 14:05 UTC" */
export function formatDateTime(value: DateInput): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return "—";
  return `${dateTimeFormat.format(date)} UTC`;
}

/** "Mar 4, 2026" */
export function formatDate(value: DateInput): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return "—";
  return dateFormat.format(date);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "3 hours ago", "in 6 days", "just now" — relative to `now` (defaults to the current time). */
export function formatRelative(value: DateInput, now: DateInput = Date.now()): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return "—";
  const diff = date.getTime() - toDate(now).getTime();
  const abs = Math.abs(diff);
  if (abs < 45_000) return "just now";
  for (const [unit, ms] of UNITS) {
    if (abs >= ms || unit === "minute") return relativeFormat.format(Math.round(diff / ms), unit);
  }
  return relativeFormat.format(Math.round(diff / 1000), "second");
}

const timeFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: "UTC",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "14:05 UTC" when `value` is on the same UTC day as `now`, else "Mar 5, 2026, 00:00 UTC". */
export function formatUntil(value: DateInput, now: DateInput = Date.now()): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return "—";
  return date.toISOString().slice(0, 10) === toDate(now).toISOString().slice(0, 10)
    ? `${timeFormat.format(date)} UTC`
    : formatDateTime(date);
}

/** "1 hour", "3 hours", "0 hours" — a count with its noun agreeing (`many` defaults to `one` + "s"). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}
